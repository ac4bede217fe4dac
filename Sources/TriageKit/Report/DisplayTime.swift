/// Times as people read them: every timestamp at one precision (whole seconds, UTC), whatever
/// precision its source wrote (`09:12:18.74937Z` beside `08:58:14.120448305Z` is noise). The
/// JSON's `first_seen`/`last_seen` keep each timestamp as read.
enum DisplayTime {
    static func seconds(_ text: String) -> String {
        Timestamp.parse(text).map(Timestamp.formatWholeSeconds) ?? text
    }
}
