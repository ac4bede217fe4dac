// swift-tools-version:6.0
// libFuzzer targets for triage's readers. A separate package so the main `swift build` and
// `swift test` never build them; `make fuzz` (or Fuzz/run.sh) builds them with
// -sanitize=fuzzer,address and runs each for a set time.
import Foundation
import PackageDescription

// A package given by path is known by its folder's name, so the root package is named after
// whatever its checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let targets = ["ndjson", "json-array", "yaml", "gzip", "text", "cluster", "config"]

let package = Package(
    name: "triage-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "TriageKit", package: rootIdentity)]),
    ] + targets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"])
    },
    swiftLanguageModes: [.v6]
)
