import FuzzSupport
import TriageKit

/// JSON arrays and concatenated JSON values (gcloud --format=json, jq), then the engine.
@main
enum FuzzJSONArray {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .jsonStream))
            return 0
        }
    }
}
