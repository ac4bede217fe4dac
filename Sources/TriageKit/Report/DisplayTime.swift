/// Times as people read them: every timestamp at one precision (whole seconds, UTC), whatever
/// precision its source wrote (`09:12:18.74937Z` beside `08:58:14.120448305Z` is noise). The
/// JSON keeps each timestamp exactly as read.
enum DisplayTime {
    static func seconds(_ text: String) -> String {
        guard let micros = Timestamp.parse(text) else { return text }
        let floor = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return Timestamp.format(floor * 1_000_000)
    }
}
