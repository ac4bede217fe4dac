import CCurl

/// The libcurl triage is linked against. `--live` (its own issue) will use CCurl for every request;
/// until then this keeps the system library wired, built and linked.
public enum CurlLibrary {
    public static var version: String { String(cString: curl_version()) }
}
