// swift-tools-version:6.0
//
// storemon: Exim's stacking-pool allocator (`Store`) in Swift, readers for
// Exim's files, and a live ncurses monitor that shows the pools at work.
//
// Data flows one way: files -> readers -> pools -> snapshot -> screen.

import PackageDescription

/// Fuzz targets need `-parse-as-library` so their `@main` fallback and the
/// libFuzzer entry point can live in one file.
let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "storemon",
    products: [
        .library(name: "Store", targets: ["Store"]),
        .executable(name: "storemon", targets: ["storemon"]),
        .executable(name: "storebench", targets: ["storebench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        // `swift package generate-documentation --target Store` (a command plugin: not
        // built by `swift build` or `swift test`).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `storemon export`: the exposition format, and a small HTTP server (no SwiftNIO).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
    ],
    targets: [
        // The allocator: pools, blocks, marks, taint, quoters, statistics, trace.
        // No unsafe flags here: other packages depend on `Store` by version (SwiftPM refuses
        // unsafe flags there); the hot path's speed comes from its layout and from
        // per-declaration `@exclusivity(unchecked)`.
        .target(name: "Store"),

        // Exim's formats: message ids, base 62, the size and age columns, spool names.
        .target(name: "EximFormats"),

        // System calls through apple/swift-system, in one internal place: opening files
        // without blocking (and refusing FIFOs, devices, sockets), typed errors that say
        // the path, inotify, poll-based output that obeys signals.
        .target(name: "StoremonSystem", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // Readers of Exim's files (no curses in any of them).
        .target(name: "EximLog", dependencies: ["Store", "EximFormats", "StoremonSystem",
                                                .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "EximSpool", dependencies: ["Store", "EximFormats", "StoremonSystem",
                                                  .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "EximTrace", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // The replay engine; it quotes trace bytes with SafeText's quoters.
        .target(name: "StoreReplay", dependencies: ["Store", "EximTrace", "EximFormats", "SafeText"]),

        // Realistic generated Exim traffic (main log and spool) for --demo, benchmarks and tests.
        .target(name: "EximDemo", dependencies: ["EximFormats", .product(name: "SystemPackage", package: "swift-system")]),

        // Text safe for a terminal or JSON: the quoters (Store's TaintQuoter conformances),
        // the writer, and display widths from the C library's wcwidth (what ncurses uses)
        // through a thin shim. Shared by the monitor, the replay and every output.
        .target(name: "CWidth"),
        .target(name: "SafeText", dependencies: ["Store", "CWidth"]),

        // The monitor's model: refresh cycle, snapshots, the panes' presentation models.
        .target(name: "StoremonCore", dependencies: ["Store", "EximFormats", "EximLog", "EximSpool", "SafeText", "StoremonSystem", .product(name: "SystemPackage", package: "swift-system")]),

        // Terminal: ncursesw through a system-library shim, and a tiny C guard
        // that restores the terminal on any fatal signal.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "CTermGuard"),

        // Prometheus metrics from snapshots: exposition (text and OpenMetrics), the
        // HTTP endpoint, the node_exporter textfile (`storemon export`, `--metrics-listen`).
        .target(
            name: "StoremonExport",
            dependencies: [
                "StoremonCore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]),

        .executableTarget(
            name: "storemon",
            dependencies: [
                "Store", "EximLog", "EximSpool", "EximTrace", "StoreReplay", "StoremonCore", "EximDemo", "StoremonExport",
                "CNcurses", "CTermGuard", "StoremonSystem", .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (run with `swift run -c release storebench` / `logbench`, `spoolbench`, `replaybench`, `monbench`, `exportbench`).
        // They share one timing module and the one fixture locator.
        .target(name: "BenchSupport"),
        .executableTarget(name: "storebench", dependencies: ["Store", "BenchSupport"]),
        .executableTarget(name: "logbench", dependencies: ["Store", "EximLog", "BenchSupport", "FixtureSupport"]),
        .executableTarget(name: "spoolbench", dependencies: ["Store", "EximSpool", "BenchSupport", "FixtureSupport"]),
        .executableTarget(name: "replaybench", dependencies: ["Store", "EximTrace", "StoreReplay", "BenchSupport", "FixtureSupport"]),
        .executableTarget(name: "monbench", dependencies: ["Store", "EximSpool", "StoremonCore", "EximDemo", "BenchSupport"]),
        .executableTarget(name: "exportbench", dependencies: ["StoremonCore", "StoremonExport", "EximDemo", "BenchSupport"]),

        // libFuzzer targets; without -DFUZZING each is a replay tool for saved inputs.
        .executableTarget(name: "fuzz-logline", dependencies: ["Store", "EximLog"], swiftSettings: fuzzSettings),
        .executableTarget(name: "fuzz-header", dependencies: ["Store", "EximSpool"], swiftSettings: fuzzSettings),
        .executableTarget(name: "fuzz-trace", dependencies: ["EximTrace"], swiftSettings: fuzzSettings),

        .testTarget(name: "StoreTests", dependencies: ["Store", "FixtureSupport"]),
        // Builds a package that depends on this one by version and uses `Store`.
        .testTarget(name: "PackageDependencyTests", exclude: ["depend-by-version.sh"]),
        .testTarget(name: "EximFormatsTests", dependencies: ["EximFormats"]),
        .testTarget(name: "EximLogTests", dependencies: ["Store", "EximLog", "FixtureSupport", "EximDemo",
                                                         .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "EximSpoolTests", dependencies: ["Store", "EximSpool", "FixtureSupport", "EximDemo", "RealEximSupport",
                                                           .product(name: "SystemPackage", package: "swift-system")]),
        // The one fixture locator, shared by every test target and benchmark.
        .target(name: "FixtureSupport", path: "Tests/FixtureSupport"),
        .testTarget(name: "EximTraceTests", dependencies: ["EximTrace", "FixtureSupport"]),
        .testTarget(name: "StoreReplayTests", dependencies: ["Store", "EximTrace", "StoreReplay", "SafeText", "FixtureSupport"]),
        .testTarget(name: "SafeTextTests", dependencies: ["Store", "SafeText", "EximDemo"]),
        // Debian's real Exim on a private -C spool, for the action tests (core and terminal).
        .target(name: "RealEximSupport", dependencies: ["EximFormats", "StoremonCore"], path: "Tests/RealEximSupport"),
        .testTarget(name: "StoremonCoreTests", dependencies: ["Store", "EximLog", "EximSpool", "StoremonCore", "EximDemo", "FixtureSupport", "RealEximSupport"]),
        .testTarget(name: "StoremonTerminalTests", dependencies: ["storemon", "StoremonCore", "FixtureSupport", "RealEximSupport"]),
        .testTarget(name: "StoremonExportTests",
                    dependencies: ["Store", "StoremonCore", "StoremonExport", "FixtureSupport", "storemon"]),
    ]
)
