import FuzzSupport
import TriageKit

/// JSON arrays and concatenated JSON values (gcloud --format=json, jq), then the engine.
@main
enum FuzzJSONArray {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: .jsonStream)
            if FuzzHarness.isDeep(data, size) { FuzzHarness.analyseAndRender(collector) }
            return 0
        }
    }
}
