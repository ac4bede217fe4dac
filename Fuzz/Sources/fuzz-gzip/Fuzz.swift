import FuzzSupport
import TriageKit

/// Gzip through the sniffing path: inflate (on the read-ahead thread), gzip inside gzip, then the
/// inflated bytes sniffed and read as the CLI would. No analysis: the execs go to inflating and framing.
@main
enum FuzzGzip {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            _ = FuzzHarness.read(data, size, format: nil)
            return 0
        }
    }
}
