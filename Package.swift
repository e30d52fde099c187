// swift-tools-version:6.0
//
// storemon: Exim's stacking-pool allocator (`Store`) in Swift, readers for
// Exim's files, and a live ncurses monitor that shows the pools at work.
//
// Data flows one way: files -> readers -> pools -> snapshot -> screen.

import PackageDescription

/// Release builds of the allocator skip exclusivity checks on the hot path
/// (the pool state lives in unsafe storage, so there is nothing to check).
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

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
    ],
    targets: [
        // The allocator: pools, blocks, marks, taint, quoters, statistics, trace.
        .target(name: "Store", swiftSettings: hotPathSettings),

        // System calls through apple/swift-system, in one internal place: opening files
        // without blocking (and refusing FIFOs, devices, sockets), typed errors that say
        // the path, inotify, poll-based output that obeys signals.
        .target(name: "StoremonSystem", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // Readers of Exim's files (no curses in any of them).
        .target(name: "EximLog", dependencies: ["Store", "StoremonSystem", .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "EximSpool", dependencies: ["Store", "StoremonSystem", .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "EximTrace"),
        .target(name: "StoreReplay", dependencies: ["Store", "EximTrace"]),

        // The monitor's model: refresh cycle, snapshots, demo traffic.
        .target(name: "StoremonCore", dependencies: ["Store", "EximLog", "EximSpool"]),

        // Terminal: ncursesw through a system-library shim, and a tiny C guard
        // that restores the terminal on any fatal signal.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(name: "CTermGuard"),

        .executableTarget(
            name: "storemon",
            dependencies: [
                "Store", "EximLog", "EximSpool", "EximTrace", "StoreReplay", "StoremonCore",
                "CNcurses", "CTermGuard", "StoremonSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (run with `swift run -c release storebench` / `logbench`, `spoolbench`, `replaybench`, `monbench`).
        .executableTarget(name: "storebench", dependencies: ["Store"], swiftSettings: hotPathSettings),
        .executableTarget(name: "logbench", dependencies: ["Store", "EximLog"]),
        .executableTarget(name: "spoolbench", dependencies: ["Store", "EximSpool"]),
        .executableTarget(name: "replaybench", dependencies: ["Store", "EximTrace", "StoreReplay"]),
        .executableTarget(name: "monbench", dependencies: ["Store", "EximSpool", "StoremonCore"]),

        // libFuzzer targets; without -DFUZZING each is a replay tool for saved inputs.
        .executableTarget(name: "fuzz-logline", dependencies: ["Store", "EximLog"], swiftSettings: fuzzSettings),
        .executableTarget(name: "fuzz-header", dependencies: ["Store", "EximSpool"], swiftSettings: fuzzSettings),
        .executableTarget(name: "fuzz-trace", dependencies: ["EximTrace"], swiftSettings: fuzzSettings),

        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "EximLogTests", dependencies: ["Store", "EximLog", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "EximSpoolTests", dependencies: ["Store", "EximSpool", .product(name: "SystemPackage", package: "swift-system")]),
        // Locating the real Exim fixtures, shared by the trace and replay tests.
        .target(name: "FixtureSupport", path: "Tests/FixtureSupport"),
        .testTarget(name: "EximTraceTests", dependencies: ["EximTrace", "FixtureSupport"]),
        .testTarget(name: "StoreReplayTests", dependencies: ["Store", "EximTrace", "StoreReplay", "FixtureSupport"]),
        .testTarget(name: "StoremonCoreTests", dependencies: ["Store", "EximLog", "EximSpool", "StoremonCore"]),
        .testTarget(name: "StoremonTerminalTests", dependencies: ["storemon"]),
    ]
)
