import CCurl
import Foundation

/// HTTP over libcurl: one easy handle per request, performed on its own thread, so independent
/// APIs are fetched at once. TLS verification is always on; proxies come from the standard
/// environment variables (libcurl reads them itself); responses may be compressed; HTTP/2 is
/// used over TLS where the server offers it.
public final class CurlTransport: HTTPTransport {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init() { _ = Self.globalInit }

    public func send(_ request: HTTPRequest, cancellation: Cancellation) throws(TransportFailure) -> HTTPResponse {
        if cancellation.isCancelled { throw .cancelled }
        let transfer = try CurlTransfer(request: request, cancellation: cancellation)
        let thread = Thread { transfer.perform() }
        thread.name = "triage-http"
        thread.stackSize = 1 << 20
        thread.start()
        return try transfer.waitForHead()
    }
}

/// The state of one transfer, shared by the curl thread (callbacks) and the reader.
private final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let cancellation: Cancellation
    let body: StreamingBody
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let condition = NSCondition()
    private var headReady = false
    private var status = 0
    private var headers: [String: String] = [:]
    private var outcome: TransportFailure?
    private var done = false
    /// Monotonic seconds of the last byte received, for the stall timeout.
    private var lastProgress: Double
    private var receivedSoFar: Int64 = 0
    private var stalled = false

    init(request: HTTPRequest, cancellation: Cancellation) throws(TransportFailure) {
        guard let easy = curl_easy_init() else { throw .fatal("libcurl could not start a transfer") }
        self.handle = easy
        self.request = request
        self.cancellation = cancellation
        self.body = StreamingBody(name: request.url)
        self.lastProgress = Self.now()
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func check(_ code: CURLcode, _ what: String) throws(TransportFailure) {
        guard code == CURLE_OK else { throw .fatal("libcurl refused \(what): \(String(cString: curl_easy_strerror(code)))") }
    }

    private func configure() throws(TransportFailure) {
        let h = handle
        try check(triage_curl_setopt_string(h, CURLOPT_URL, request.url), "the URL")
        try check(triage_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"), "the protocol list")
        try check(triage_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(triage_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        try check(triage_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1), "TLS peer verification")
        try check(triage_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2), "TLS host verification")
        try check(triage_curl_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)), "HTTP/2")
        // An empty string asks for every encoding this libcurl can undo.
        try check(triage_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, ""), "compression")
        try check(triage_curl_setopt_string(h, CURLOPT_USERAGENT, "triage/\(TriageVersion.string)"), "the user agent")
        try check(triage_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeouts.connect * 1000)), "the connect timeout")
        try check(triage_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(request.timeouts.total * 1000)), "the total timeout")
        switch request.method {
        case "GET": break
        case "POST":
            try check(triage_curl_setopt_long(h, CURLOPT_POST, 1), "POST")
            let payload = request.body ?? []
            try check(triage_curl_setopt_long(h, CURLOPT_POSTFIELDSIZE, payload.count), "the body size")
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the Swift array need not outlive this call.
            let code = payload.isEmpty
                ? triage_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, "")
                : payload.withUnsafeBytes { triage_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!)) }
            try check(code, "the body")
        default:
            try check(triage_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method), "the method")
        }
        // "Expect:" stops libcurl's 100-continue round trip on larger POSTs.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        try check(triage_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList), "the headers")

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(triage_curl_setopt_pointer(h, CURLOPT_WRITEDATA, context), "the write context")
        try check(triage_curl_setopt_pointer(h, CURLOPT_HEADERDATA, context), "the header context")
        try check(triage_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, context), "the progress context")
        try check(triage_curl_setopt_write_function(h) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.received(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }, "the write callback")
        try check(triage_curl_setopt_header_function(h) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            transfer.headerLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "the header callback")
        try check(triage_curl_setopt_xferinfo_function(h) { context, _, downloaded, _, _ in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.progress(downloaded: Int64(downloaded)) ? 0 : 1
        }, "the progress callback")
        try check(triage_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0), "progress callbacks")
    }

    /// Runs on the transfer's own thread; keeps `self` alive until libcurl is done with it.
    func perform() {
        let code = curl_easy_perform(handle)
        var failure: TransportFailure?
        if code != CURLE_OK { failure = describe(code) }
        condition.lock()
        if !headReady && failure == nil { captureStatus() }
        outcome = failure
        done = true
        let hadHead = headReady
        headReady = true
        condition.broadcast()
        condition.unlock()
        if let failure, hadHead {
            let reason: String
            if code == CURLE_PARTIAL_FILE {
                reason = "the response ended early, after \(receivedSoFar) bytes"
            } else {
                reason = failure.sentence
            }
            body.finish(error: .readFailed(input: request.url, reason: reason))
        } else {
            body.finish(error: nil)
        }
    }

    private func describe(_ code: CURLcode) -> TransportFailure {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_ABORTED_BY_CALLBACK:
            return stalled ? .stalled(seconds: request.timeouts.stall) : .cancelled
        case CURLE_WRITE_ERROR:
            return cancellation.isCancelled ? .cancelled : .connection("the reader stopped")
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(seconds: request.timeouts.total)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_RECV_ERROR,
            CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connection(text)
        case CURLE_SSL_CONNECT_ERROR:
            return .connection(text)
        default:
            return .fatal(text)
        }
    }

    func waitForHead() throws(TransportFailure) -> HTTPResponse {
        condition.lock()
        while !headReady { condition.wait() }
        let failure = done && status == 0 ? outcome ?? .connection("no response") : nil
        let response = HTTPResponse(status: status, headers: headers, body: body) { [body] in body.close() }
        condition.unlock()
        if let failure { throw failure }
        return response
    }

    private func captureStatus() {
        var code = 0
        _ = triage_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        status = code
    }

    private func received(_ bytes: UnsafeRawBufferPointer) -> Bool {
        condition.lock()
        if !headReady {
            captureStatus()
            headReady = true
            condition.broadcast()
        }
        condition.unlock()
        receivedSoFar += Int64(bytes.count)
        let accepted = body.push(bytes)
        // Time spent waiting for the reader is not the server stalling.
        lastProgress = Self.now()
        return accepted && !cancellation.isCancelled
    }

    private func headerLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        lastProgress = Self.now()
        if line.hasPrefix("HTTP/") {
            headers = [:]  // a new response head (after 100 Continue, for example)
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// False aborts the transfer: on Ctrl-C, or when nothing arrived for the stall timeout.
    private func progress(downloaded: Int64) -> Bool {
        if cancellation.isCancelled { return false }
        let now = Self.now()
        if now - lastProgress > request.timeouts.stall {
            stalled = true
            return false
        }
        return true
    }
}
