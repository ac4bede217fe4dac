import FuzzSupport
import TriageKit

/// YAML streams (gcloud --format=yaml): the YAML scanner, Yams decoding of documents, then the engine.
@main
enum FuzzYAML {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: .yaml)
            if FuzzHarness.isDeep(data, size) { FuzzHarness.analyseAndRender(collector) }
            return 0
        }
    }
}
