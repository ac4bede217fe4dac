// swift-tools-version:6.0
// libFuzzer targets for triage's readers. A separate package so the main `swift build` and
// `swift test` never build them; `make fuzz` (or Fuzz/run.sh) builds them with
// -sanitize=fuzzer,address and runs each for a set time.
import PackageDescription

let targets = ["ndjson", "json-array", "yaml", "gzip", "text", "cluster", "config"]

let package = Package(
    name: "triage-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "triage", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "TriageKit", package: "triage")])
    ] + targets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"])
    },
    swiftLanguageModes: [.v6]
)
