// swift-tools-version:6.0
import PackageDescription

// Module map (see docs/architecture.md):
//   CYAML, CCurl, CSQLite  system libraries (pkg-config yaml-0.1, libcurl, sqlite3)
//   CCurlShim              typed C wrappers for libcurl's variadic functions
//   GoCompat               Go's behaviour where users see it: strconv, fmt (Sprintf), strings, utf8,
//                          base64, time.Parse, regexp (RE2), go-yaml's key order (pure Swift)
//   DatumSystem            POSIX files and processes (FileSystem, Subprocess), without Foundation
//   DatumJSON              JSON value, parser and Go-compatible encoder (pure Swift)
//   DatumYAML              libyaml wrapper: positions, errors, kubectl-style emitter
//   DatumHTTP              libcurl wrapper: pooled HTTP client with retries and traces
//   DatumCrypto            RS256 (sign, verify), JWT and JWK over libcrypto, through CCurlShim
//   DatumKit               models, CRD schema, validation, manifest loading
//   DatumArguments         the hand-written argument parser, command spec and help renderer (both executables)
//   DatumCLI               commands, printers, config, sign-in
//   DatumSandbox           the local API server (only datumctl-sandbox links it)
//   DatumBuildInfo         the version (from VERSION) and git commit, stamped by BuildInfoPlugin
//
// Linux only: the code imports Glibc and libcurl/libyaml through pkg-config, and no macOS build is
// tested. See README.md ("Platforms").
//
// Dependencies are pinned to exact versions. Package.resolved is not committed: the build machines
// resolve github.com through a local mirror whose commit ids differ from GitHub's, so a resolved
// file from one would not check out on the other.
let package = Package(
    name: "datumctl",
    products: [
        .executable(name: "datumctl", targets: ["datumctl"]),
        .executable(name: "datumctl-sandbox", targets: ["datumctl-sandbox"]),
        .executable(name: "datumctl-bench", targets: ["datumctl-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", exact: "1.46.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("crypto")]),

        .target(name: "GoCompat"),
        .target(name: "DatumSystem"),
        .target(
            name: "DatumJSON", dependencies: ["GoCompat"],
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(name: "DatumYAML", dependencies: ["CYAML", "DatumJSON", "GoCompat"]),
        .target(name: "DatumHTTP", dependencies: ["CCurlShim"]),
        .target(name: "DatumCrypto", dependencies: ["CCurlShim", "DatumJSON", "GoCompat"]),
        .target(
            name: "DatumKit", dependencies: ["DatumJSON", "DatumYAML", "DatumSystem", "GoCompat"],
            exclude: ["Upstream"]),
        .target(name: "DatumArguments", dependencies: ["GoCompat"]),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .target(name: "DatumBuildInfo", plugins: ["BuildInfoPlugin"]),
        .target(
            name: "DatumCLI", dependencies: [
                "DatumArguments", "DatumKit", "DatumHTTP", "DatumJSON", "DatumYAML", "DatumCrypto", "DatumBuildInfo",
                "DatumSystem", "GoCompat",
            ]),
        .executableTarget(name: "datumctl", dependencies: ["DatumCLI"]),
        .executableTarget(name: "datumctl-bench", dependencies: ["DatumYAML"]),

        .target(
            name: "DatumSandbox",
            dependencies: [
                "DatumArguments", "DatumKit", "DatumJSON", "DatumYAML", "DatumCrypto", "DatumHTTP", "DatumSystem", "GoCompat",
                "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ],
            exclude: ["Upstream"]),
        .executableTarget(name: "datumctl-sandbox", dependencies: ["DatumSandbox"]),

        // Shared by the test targets: golden files, temporary directories, process helpers. A test
        // target, so a plain `swift build` (and the release build) never compiles test-only code.
        .testTarget(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DatumSystemTests", dependencies: ["DatumSystem", "TestSupport"]),
        .testTarget(name: "GoCompatTests", dependencies: ["GoCompat", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DatumJSONTests", dependencies: ["DatumJSON", "GoCompat", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DatumYAMLTests", dependencies: ["DatumYAML", "DatumJSON", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "DatumHTTPTests", dependencies: ["DatumHTTP", "TestSupport"]),
        .testTarget(name: "DatumCryptoTests", dependencies: ["DatumCrypto", "DatumJSON", "GoCompat", "TestSupport"]),
        .testTarget(
            name: "DatumKitTests", dependencies: ["DatumKit", "DatumJSON", "DatumYAML", "DatumSystem", "GoCompat", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "DatumCLITests", dependencies: ["DatumCLI", "DatumKit", "DatumHTTP", "DatumCrypto", "GoCompat", "TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "DatumSandboxTests", dependencies: ["DatumSandbox", "DatumKit", "DatumJSON", "TestSupport"]),
        .testTarget(
            name: "IntegrationTests", dependencies: ["DatumJSON", "DatumKit", "DatumCLI", "DatumCrypto", "TestSupport"],
            exclude: ["Snapshots"]),
    ]
)
