// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "triage",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "TriageKit", targets: ["TriageKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // RS256 for service-account keys in --live (the _CryptoExtras RSA signer).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "TriageKit",
            dependencies: [
                "CZlib", "CCurl", .product(name: "Yams", package: "Yams"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            // The scanner and flow table are hot loops over class state; the dynamic exclusivity
            // checks on it cost more than the work. Debug builds keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "triage-bench",
            dependencies: [
                "TriageKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Fixtures are read from the source tree by path (captures of real gcloud output).
        .testTarget(
            name: "TriageKitTests",
            dependencies: ["TriageKit", .product(name: "_CryptoExtras", package: "swift-crypto")],
            exclude: ["Fixtures"]),
        .testTarget(name: "RuleSampleTests", dependencies: ["TriageKit"]),
        .testTarget(name: "TriageCLITests", dependencies: ["TriageKit", "triage"]),
    ],
    swiftLanguageModes: [.v6]
)
