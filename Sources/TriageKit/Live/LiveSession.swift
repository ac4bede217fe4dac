import Foundation

/// How far a live run has got, for the progress line (see `LiveProgress`).
public struct LiveCounts: Sendable, Equatable {
    public var sourcesDone = 0
    public var sourcesTotal = 0
    public var pages = 0
    public var logPages = 0
    /// Firewall log entries read so far.
    public var firewallRecords = 0
    /// Distinct denied flows among them (flow groups): what firewall findings are made of.
    public var deniedFlows = 0
    /// Other evidence recognised so far (GKE operations and cluster states worth a look).
    public var observations = 0

    public init() {}
}

/// What a live run fetched and what it could not.
public struct LiveResult: Sendable {
    /// Sources that gave no data (or not all of it); each also counts in the run's account.
    public var failures: [TriageError] = []
    public var interrupted = false
    /// Where the token came from.
    public var credentials: String?
    public var progress = LiveCounts()
    public var requests = 0
    /// Times the token was renewed (about to expire, or rejected with 401).
    public var tokenRefreshes = 0
    /// Log pages asked for again after their answer was cut, and the entries of those pages
    /// that the first answers had already delivered (skipped in the later ones).
    public var pageRetries = 0
    public var entriesSkippedOnRetry = 0
    /// Public Cloud DNS zones whose record sets were not read (see `fetchDNS`).
    public var publicZonesSkipped: [String] = []
    /// GKE operations that neither ran in the window nor are still running.
    public var operationsOutsideWindow = 0
}

/// Counters the fetching threads add to.
private final class FetchTally: @unchecked Sendable {
    private let lock = NSLock()
    private var values = (pageRetries: 0, entriesSkipped: 0, operationsOutside: 0)
    private var zones: [String] = []

    func pageRetried() { lock.withLock { values.pageRetries += 1 } }
    func skipped(_ count: Int) { lock.withLock { values.entriesSkipped += count } }
    func operationsOutside(_ count: Int) { lock.withLock { values.operationsOutside += count } }
    func publicZone(_ name: String) { lock.withLock { zones.append(name) } }

    func fill(_ result: inout LiveResult) {
        lock.withLock {
            result.pageRetries = values.pageRetries
            result.entriesSkippedOnRetry = values.entriesSkipped
            result.operationsOutsideWindow = values.operationsOutside
            result.publicZonesSkipped = zones
        }
    }
}

/// `triage --live`: discovers the clusters, then fetches operations, network config, DNS and
/// the denied firewall log entries concurrently, and feeds every response to the same pipeline
/// as a file (`EvidenceCollector.read`), on the calling thread.
public final class LiveSession: @unchecked Sendable {
    public let options: LiveOptions
    public let cancellation = Cancellation()
    let endpoints: Endpoints
    let environment: [String: String]
    let client: APIClient
    /// Called on the analysing thread after each response.
    public var onProgress: ((LiveCounts) -> Void)?
    private let tally = FetchTally()

    public init(
        options: LiveOptions, environment: [String: String], transport: HTTPTransport = CurlTransport(),
        trace: (@Sendable (String) -> Void)? = nil, redactor: Redactor = .shared
    ) {
        self.options = options
        self.environment = environment
        self.endpoints = Endpoints(environment: environment)
        self.client = APIClient(
            transport: transport, cancellation: cancellation, retry: options.retry, timeouts: options.timeouts, trace: trace,
            redactor: redactor)
    }

    /// Masks the run's secrets (see `Redactor`) in text from a server.
    public var redactor: Redactor { client.redactor }

    private var project: String { options.project }
    private var locationPath: String { options.location ?? "-" }

    public func run(into collector: EvidenceCollector) -> LiveResult {
        var result = run(collector)
        // Every failure leaves the session redacted, whichever path made it.
        result.failures = result.failures.map(redactor.redact)
        tally.fill(&result)
        result.tokenRefreshes = client.credentials?.refreshCount ?? 0
        return result
    }

    private func run(_ collector: EvidenceCollector) -> LiveResult {
        var result = LiveResult()
        do {
            let credentials = try Credentials.discover(
                accessTokenFile: options.accessTokenFile, environment: environment, client: client, gcloud: options.gcloudCommand,
                project: options.project)
            client.credentials = credentials
            result.credentials = credentials.origin
        } catch {
            let error = redactor.redact(error)
            result.failures.append(error)
            collector.countUnreadable(error)
            result.interrupted = cancellation.isCancelled
            result.requests = client.requestCount
            return result
        }
        result.progress.sourcesTotal = 9
        let regions = readClusters(into: collector, result: &result)
        result.progress.sourcesDone = 1
        onProgress?(result.progress)

        let queue = DeliveryQueue()
        spawn(queue) { self.fetchOperations(queue) }
        spawn(queue) { self.fetchList(queue, .firewalls, "compute firewalls", self.computeURL("global/firewalls")) }
        spawn(queue) { self.fetchList(queue, .routes, "compute routes", self.computeURL("global/routes")) }
        spawn(queue) { self.fetchNetworks(queue) }
        spawn(queue) { self.fetchRegional(queue, .subnetworks, "subnetworks", regions: regions) }
        spawn(queue) { self.fetchRouters(queue, regions: regions) }
        spawn(queue) { self.fetchDNS(queue) }
        spawn(queue) { self.fetchLogs(queue) }

        while let item = queue.take() {
            switch item {
            case .document(let name, let bytes):
                result.progress.pages += 1
                if let error = collector.read(InputReader(name: name, source: MemorySource(bytes))) { result.failures.append(error) }
            case .logPage(let name, let source, let done):
                result.progress.pages += 1
                result.progress.logPages += 1
                let before = collector.account.records
                // A cut page may yet be read whole from a second answer; the fetcher reports
                // it (and the account counts it) only when it gives up.
                let error = collector.read(InputReader(name: name, source: source, format: .jsonStream), countingErrors: false)
                done(error, collector.account.records - before)
            case .failure(let error):
                let error = redactor.redact(error)
                result.failures.append(error)
                collector.countUnreadable(error)
            case .incomplete(let kind):
                collector.config.markIncomplete(kind)
            case .sourceDone:
                result.progress.sourcesDone += 1
            }
            result.progress.firewallRecords = collector.account.firewallRecords
            result.progress.deniedFlows = collector.deniedFlowGroupsSeen
            result.progress.observations = collector.observationCount
            onProgress?(result.progress)
        }
        result.interrupted = cancellation.isCancelled
        result.requests = client.requestCount
        return result
    }

    /// Runs one source on its own thread; `body` says whether the source was read in full.
    private func spawn(_ queue: DeliveryQueue, _ body: @escaping @Sendable () -> Bool) {
        queue.producerStarted()
        let thread = Thread {
            if body() { queue.put(.sourceDone) }
            queue.producerFinished()
        }
        thread.name = "triage-live"
        thread.start()
    }

    // MARK: requests

    private func get(_ url: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], timeouts: options.timeouts)
    }

    private func computeURL(_ path: String) -> (String?) -> String {
        let base = endpoints.compute + "projects/\(project)/\(path)"
        return { token in
            base + (path.contains("?") ? "&" : "?") + "maxResults=500" + (token.map { "&pageToken=\(Self.queryEncode($0))" } ?? "")
        }
    }

    static func queryEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    private func host(of url: String) -> String { URL(string: url)?.host ?? url }

    /// The error for a failed fetch, in the user's terms.
    func failure(_ error: FetchFailure, _ kind: APIRequestKind, url: String) -> TriageError {
        switch error {
        case .credentials(let error): return error
        case .transport(let transport):
            return .noData(source: kind.what, reason: "\(host(of: url)): \(transport.sentence)", hint: transport == .cancelled ? nil : "check the network and proxy settings (HTTPS_PROXY, NO_PROXY)")
        case .http(let status, let body):
            return redactor.redact(kind.failure(GoogleAPIError(status: status, body: body, redactor: redactor), project: project, host: host(of: url)))
        }
    }

    /// Hands a fetch failure to the consumer, unless it is only the run being interrupted.
    private func report(_ queue: DeliveryQueue, _ error: FetchFailure, _ kind: APIRequestKind, url: String) {
        if case .transport(.cancelled) = error { return }
        queue.put(.failure(failure(error, kind, url: url)))
    }

    // MARK: clusters

    /// Reads the clusters (or the named one) on this thread, first: the regions of the
    /// subnetworks and routers to read come from them.
    private func readClusters(into collector: EvidenceCollector, result: inout LiveResult) -> [String] {
        let url = endpoints.container + "projects/\(project)/locations/\(locationPath)/clusters"
        let bytes: [UInt8]
        let object: [String: Any]
        do throws(FetchFailure) {
            (bytes, object) = try client.json(get(url))
        } catch {
            let failure = failure(error, .clusters, url: url)
            if !cancellation.isCancelled {
                result.failures.append(failure)
                collector.countUnreadable(failure)
            }
            return []
        }
        var clusters = object["clusters"] as? [[String: Any]] ?? []
        var document = bytes
        if let name = options.clusterName {
            let named = clusters.filter { $0["name"] as? String == name }
            if named.isEmpty {
                let found = clusters.compactMap { $0["name"] as? String }
                let failure = redactor.redact(TriageError.noData(
                    source: "the GKE cluster \(name)",
                    reason: "project \(project) has no cluster named \(name) in \(options.location ?? "any location")"
                        + (found.isEmpty ? "" : " (it has: \(found.joined(separator: ", ")))"),
                    hint: "check --cluster and --location; 'gcloud container clusters list --project=\(Template.shellWord(project))' lists them"))
                result.failures.append(failure)
                collector.countUnreadable(failure)
                return []
            }
            clusters = named
            document = Array((try? JSONSerialization.data(withJSONObject: named[0], options: [.sortedKeys])) ?? Data())
        }
        let name = options.clusterName.map { "live:container clusters get \($0)" } ?? "live:container clusters list"
        if let error = collector.read(InputReader(name: name, source: MemorySource(document))) { result.failures.append(error) }
        result.progress.pages += 1
        var regions: [String] = []
        for cluster in clusters {
            guard let location = cluster["location"] as? String ?? cluster["zone"] as? String else { continue }
            let region = GCPLocation.region(of: location)
            if !regions.contains(region) { regions.append(region) }
        }
        return regions
    }

    // MARK: lists

    /// Reads every page of a list and hands each page on as one input.
    @discardableResult
    private func fetchList(
        _ queue: DeliveryQueue, _ kind: APIRequestKind, _ name: String, _ url: (String?) -> String,
        each: ([String: Any]) -> Void = { _ in }
    ) -> Bool {
        var token: String?
        var page = 0
        repeat {
            page += 1
            let pageURL = url(token)
            do throws(FetchFailure) {
                let (bytes, object) = try client.json(get(pageURL))
                queue.put(.document(name: "live:\(name)" + (page > 1 || object["nextPageToken"] != nil ? " page \(page)" : ""), bytes: bytes))
                each(object)
                token = (object["nextPageToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            } catch {
                report(queue, error, kind, url: pageURL)
                // What other pages or regions gave stays; what is absent from them proves nothing.
                for listing in Self.configKinds(kind) { queue.put(.incomplete(listing)) }
                return false
            }
        } while token != nil && !cancellation.isCancelled
        return !cancellation.isCancelled
    }

    /// The config listings an API request feeds.
    static func configKinds(_ kind: APIRequestKind) -> [ConfigSnapshot.Kind] {
        switch kind.what {
        case APIRequestKind.firewalls.what: return [.firewallRules]
        case APIRequestKind.routes.what: return [.routes]
        case APIRequestKind.networks.what: return [.networks]
        case APIRequestKind.subnetworks.what: return [.subnetworks]
        case APIRequestKind.routers.what: return [.routers, .nats]
        case APIRequestKind.managedZones.what: return [.zones]
        case APIRequestKind.recordSets.what: return [.recordSets]
        default: return []
        }
    }

    /// The networks, then each network's effective firewalls: the firewall policies (hierarchical
    /// and global network ones) that the firewall model evaluates with the VPC rules.
    private func fetchNetworks(_ queue: DeliveryQueue) -> Bool {
        var names: [String] = []
        let listed = fetchList(queue, .networks, "compute networks", computeURL("global/networks")) { page in
            names += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        }
        var complete = listed
        for name in names where ValueCheck.isResourceName(name) && !cancellation.isCancelled {
            let url = endpoints.compute + "projects/\(project)/global/networks/\(name)/getEffectiveFirewalls"
            if !fetchDocument(queue, .effectiveFirewalls, "compute networks get-effective-firewalls \(name)", url: url) { complete = false }
        }
        return complete && !cancellation.isCancelled
    }

    /// The operations of the clusters read (all of them, or the named one's, node pools
    /// included) that ran during the window or are still running.
    private func fetchOperations(_ queue: DeliveryQueue) -> Bool {
        let url = endpoints.container + "projects/\(project)/locations/\(locationPath)/operations"
        do throws(FetchFailure) {
            var (bytes, object) = try client.json(get(url))
            if let operations = object["operations"] as? [[String: Any]] {
                var kept = operations
                if let name = options.clusterName {
                    kept = kept.filter { operation in
                        let target = operation["targetLink"] as? String ?? ""
                        return target.hasSuffix("/clusters/\(name)") || target.contains("/clusters/\(name)/")
                    }
                }
                let inWindow = kept.filter { Self.operation($0, isIn: options.window) }
                if inWindow.count < kept.count {
                    tally.operationsOutside(kept.count - inWindow.count)
                    client.trace?("  \(kept.count - inWindow.count) of \(kept.count) GKE operations neither ran in the window nor are running; left out")
                }
                if inWindow.count < operations.count {
                    bytes = Array((try? JSONSerialization.data(withJSONObject: ["operations": inWindow], options: [.sortedKeys])) ?? Data())
                }
            }
            queue.put(.document(name: "live:container operations list", bytes: bytes))
            return true
        } catch {
            report(queue, error, .operations, url: url)
            return false
        }
    }

    /// Whether an operation belongs to the run: one not yet DONE (RUNNING, PENDING, ABORTING) always;
    /// otherwise one whose time span [startTime, endTime] meets the window, which keeps every
    /// operation that started or ended in it (and one that spans it). An operation without
    /// times is kept: there is nothing to judge it by.
    static func operation(_ operation: [String: Any], isIn window: TimeWindow) -> Bool {
        if let status = operation["status"] as? String, status != "DONE" { return true }
        guard let start = (operation["startTime"] as? String).flatMap(parseTimestamp) else { return true }
        let end = (operation["endTime"] as? String).flatMap(parseTimestamp) ?? start
        let windowEnd = window.to ?? .distantFuture
        return start <= windowEnd && end >= window.from
    }

    /// RFC 3339 with any number of fraction digits (GKE gives nanoseconds).
    static func parseTimestamp(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: ".") else { return TimeWindow.parse(text) }
        let afterDot = text.index(after: dot)
        let digitsEnd = text[afterDot...].firstIndex { !$0.isNumber } ?? text.endIndex
        guard let whole = TimeWindow.parse(String(text[..<dot]) + String(text[digitsEnd...])) else { return nil }
        let fraction = Double("0." + text[afterDot..<digitsEnd]) ?? 0
        return whole.addingTimeInterval(fraction)
    }

    /// Subnetworks or routers in the clusters' regions, or in every region when no cluster
    /// was found (the aggregated list, as gcloud reads it).
    private func fetchRegional(
        _ queue: DeliveryQueue, _ kind: APIRequestKind, _ collection: String, regions: [String],
        each: ([String: Any]) -> Void = { _ in }
    ) -> Bool {
        if regions.isEmpty {
            return fetchList(
                queue, kind, "compute \(collection) (all regions)",
                computeURL("aggregated/\(collection)?includeAllScopes=True&returnPartialSuccess=True"), each: each)
        }
        for region in regions {
            guard !cancellation.isCancelled,
                fetchList(queue, kind, "compute \(collection) \(region)", computeURL("regions/\(region)/\(collection)"), each: each)
            else { return false }
        }
        return true
    }

    /// One answer read whole (no pages) and handed on as a document; false when it failed.
    private func fetchDocument(_ queue: DeliveryQueue, _ kind: APIRequestKind, _ name: String, url: String) -> Bool {
        do throws(FetchFailure) {
            let (bytes, _) = try client.json(get(url))
            queue.put(.document(name: "live:\(name)", bytes: bytes))
            return true
        } catch {
            report(queue, error, kind, url: url)
            return false
        }
    }

    /// The routers (as `fetchRegional`), then the status of each one with a Cloud NAT gateway
    /// (`routers.getRouterStatus`: how many NAT addresses are missing), which the NAT capacity
    /// check reads.
    private func fetchRouters(_ queue: DeliveryQueue, regions: [String]) -> Bool {
        var withNAT: [(region: String, name: String)] = []
        let collect: ([String: Any]) -> Void = { object in
            // A regional list has `items: [...]`; the aggregated one groups them by `regions/R`.
            var routers = object["items"] as? [[String: Any]] ?? []
            for case let scope as [String: Any] in (object["items"] as? [String: Any] ?? [:]).values {
                routers += scope["routers"] as? [[String: Any]] ?? []
            }
            for router in routers where !(router["nats"] as? [Any] ?? []).isEmpty {
                guard let name = router["name"] as? String, ValueCheck.isResourceName(name),
                    let region = (router["region"] as? String).map(ConfigValue.lastSegment), ValueCheck.isResourceName(region)
                else { continue }
                withNAT.append((region, name))
            }
        }
        guard fetchRegional(queue, .routers, "routers", regions: regions, each: collect) else { return false }
        for router in withNAT where !cancellation.isCancelled {
            let url = endpoints.compute + "projects/\(project)/regions/\(router.region)/routers/\(router.name)/getRouterStatus"
            guard fetchDocument(queue, .routers, "compute routers get-status \(router.name) \(router.region)", url: url) else { return false }
        }
        return !cancellation.isCancelled
    }

    /// The managed zones (their metadata, peering and forwarding targets included, comes with
    /// the list), then the record sets of every private zone. Public zones' record sets are
    /// not read: a private cluster's nodes resolve through the private zones visible to their
    /// network, so public records cannot explain its traffic, and public zones can be large.
    private func fetchDNS(_ queue: DeliveryQueue) -> Bool {
        var privateZones: [String] = []
        let zonesURL: (String?) -> String = { token in
            self.endpoints.dns + "projects/\(self.project)/managedZones?maxResults=1000" + (token.map { "&pageToken=\(Self.queryEncode($0))" } ?? "")
        }
        let listed = fetchList(queue, .managedZones, "dns managed-zones", zonesURL) { object in
            for zone in object["managedZones"] as? [[String: Any]] ?? [] {
                guard let name = zone["name"] as? String else { continue }
                if zone["visibility"] as? String == "private" {
                    privateZones.append(name)
                } else {
                    self.tally.publicZone(name)
                    self.client.trace?("  DNS zone \(name) is public: its record sets are not read (a private cluster resolves through the private zones visible to its network)")
                }
            }
        }
        guard listed else { return false }
        for zone in privateZones where !cancellation.isCancelled {
            let url: (String?) -> String = { token in
                self.endpoints.dns + "projects/\(self.project)/managedZones/\(Self.queryEncode(zone))/rrsets?maxResults=1000"
                    + (token.map { "&pageToken=\(Self.queryEncode($0))" } ?? "")
            }
            guard fetchList(queue, .recordSets, "dns record-sets \(zone)", url) else { return false }
        }
        return !cancellation.isCancelled
    }

    // MARK: logs

    var logEntriesURL: String { endpoints.logging + "entries:list" }

    /// One page of Logging's `entries:list` for this project.
    func logEntriesRequest(filter: String, orderBy: String, token: String?) -> HTTPRequest {
        var body: [String: Any] = [
            "resourceNames": ["projects/\(project)"], "filter": filter, "orderBy": orderBy, "pageSize": options.logPageSize,
        ]
        if let token { body["pageToken"] = token }
        var request = HTTPRequest(
            method: "POST", url: logEntriesURL, headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
            body: Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()),
            timeouts: options.timeouts)
        request.headers.append(("Accept-Charset", "utf-8"))
        return request
    }

    /// Pages of denied firewall log entries, newest first, each streamed into the analysis as
    /// it arrives; the next page is asked for once this one's token has been read. A page whose
    /// answer is cut (the connection closed early, stalled, or the JSON stops short) is asked
    /// for again with the same page token, within the retry policy; the entries the cut answer
    /// already delivered are skipped in the new one (a page's entries come in the same order
    /// for the same request). Only when the retries run out is the rest reported missing.
    private func fetchLogs(_ queue: DeliveryQueue) -> Bool {
        let url = logEntriesURL
        let filter = options.window.firewallFilter(project: project)
        var token: String?
        var page = 0
        repeat {
            page += 1
            let request = logEntriesRequest(filter: filter, orderBy: "timestamp desc", token: token)
            let name = "live:logging entries page \(page)"
            let started = APIClient.now()
            var delivered = 0
            var attempt = 0
            while true {
                attempt += 1
                let response: HTTPResponse
                do throws(FetchFailure) {
                    response = try client.send(request)
                } catch {
                    report(queue, error, .logEntries, url: url)
                    return false
                }
                let source = JSONPageSource(upstream: response.body, name: name, arrayKey: "entries", skip: delivered)
                let finished = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var readError: TriageError?
                nonisolated(unsafe) var read = 0
                queue.put(.logPage(name: name, source: source) { error, records in
                    readError = error
                    read = records
                    finished.signal()
                })
                finished.wait()
                response.close()
                if attempt > 1 { tally.skipped(source.skippedElements) }
                delivered += read
                guard let error = readError else {
                    token = source.values["nextPageToken"].flatMap { $0.isEmpty ? nil : $0 }
                    break
                }
                if cancellation.isCancelled { return false }
                let cut = source.endedEarly || (response.body as? StreamingBody)?.failed == true
                if cut, let wait = client.backoff(afterAttempt: attempt, elapsed: APIClient.now() - started) {
                    tally.pageRetried()
                    client.trace?("  \(name) was cut after \(delivered) entries (\(error.readReason)); asking for it again in \(String(format: "%.2f", wait)) s and skipping those")
                    guard client.pause(wait) else { return false }
                    continue
                }
                queue.put(.failure(.noData(
                    source: "firewall logs (Cloud Logging)",
                    reason: "\(name) could not be read in full (\(error.readReason))" + (attempt > 1 ? " in \(attempt) tries" : "")
                        + "; the \(delivered) entries before that point were analysed, later pages were not fetched",
                    hint: "run again; if it repeats, narrow the window with --since or --from/--to")))
                return false
            }
        } while token != nil && !cancellation.isCancelled
        return !cancellation.isCancelled
    }
}
