// swift-tools-version: 6.0
import PackageDescription

// Layers (see ../shared/DESIGN.md §2): GrokProtocol and GrokJSON are pure values, GrokRPC is the
// transport, GrokDaemon the application; executables are thin entry points over libraries.
let package = Package(
    name: "grok",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grokd", targets: ["grokd"]),
        .executable(name: "grokctl", targets: ["grokctl"]),
        .executable(name: "grok-bench", targets: ["grok-bench"]),
        .executable(name: "grok-plugin-host", targets: ["grok-plugin-host"]),
        // The example plugins (Plugins/), each a shared library built against protocol/grok_plugin.h.
        .library(name: "grok-sysinfo", type: .dynamic, targets: ["sysinfo"]),
        .library(name: "grok-calc", type: .dynamic, targets: ["calc"]),
        .library(name: "grok-docs", type: .dynamic, targets: ["docs"]),
        // Test fixtures: plugins that misbehave or break the ABI (Tests/Fixtures).
        .library(name: "testplugin-misbehave", type: .dynamic, targets: ["PluginMisbehave"]),
        .library(name: "testplugin-badmajor", type: .dynamic, targets: ["PluginBadMajor"]),
        .library(name: "testplugin-short", type: .dynamic, targets: ["PluginShortStruct"]),
        .library(name: "testplugin-noentry", type: .dynamic, targets: ["PluginNoEntry"]),
        .library(name: "testplugin-noinit", type: .dynamic, targets: ["PluginNoInit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        .target(
            name: "GrokJSON",
            dependencies: ["CJansson", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        .target(
            name: "GrokProtocol",
            dependencies: ["GrokJSON"],
            resources: [.embedInCode("openrpc.json")]
        ),
        // The innermost SIMD loops (see DESIGN.md §4, "Kernels"); each has a Swift reference twin.
        // Optimised in every build, and without fused multiply-add contraction so that every
        // instruction-set path rounds the same way.
        .target(
            name: "CGrokKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]
        ),
        // The engine is compiled optimised even in debug builds: its tests run the real model.
        .target(
            name: "GrokEngine",
            dependencies: ["CGrokKernels", "GrokJSON"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        // Tiny seeded GGUF models of each architecture and the GGUF writer behind them, for
        // tests and benchmarks (not a product). Optimised even in debug builds: tests write
        // many models, millions of random weights each.
        .target(name: "GrokTestModels", dependencies: ["GrokEngine"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(
            name: "GrokRPC",
            dependencies: [
                "GrokJSON", "GrokProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GrokDaemon",
            dependencies: [
                "GrokJSON", "GrokProtocol", "GrokRPC", "GrokEngine", "GrokPlugins", "GrokStore", "GrokTemplate", "GrokLearning",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // grok's durable memory: SQLite through GRDB (the system libsqlite3).
        .target(
            name: "GrokStore",
            dependencies: ["GrokJSON", "GrokProtocol", "GrokLearning", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // What grok learns from feedback: passage features, the ranking model, answer presets.
        .target(name: "GrokLearning"),
        // The plugin ABI (protocol/grok_plugin.h, linked into its include folder).
        .target(name: "CGrokPlugin"),
        .target(name: "CGrokSpawn"),
        .target(
            name: "GrokPlugins",
            dependencies: ["CGrokPlugin", "CGrokSpawn", "GrokJSON", "GrokProtocol"]
        ),
        .executableTarget(name: "grok-plugin-host", dependencies: ["GrokPlugins"]),
        .target(name: "sysinfo", dependencies: ["CGrokPlugin", "CJansson"], path: "Plugins/sysinfo"),
        .target(name: "calc", dependencies: ["CGrokPlugin", "CJansson"], path: "Plugins/calc"),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "docs", dependencies: ["CGrokPlugin", "CSQLite"], path: "Plugins/docs"),
        .target(name: "PluginFixtureCommon", dependencies: ["CGrokPlugin"], path: "Tests/Fixtures/PluginCommon"),
        .target(name: "PluginMisbehave", dependencies: ["PluginFixtureCommon"], path: "Tests/Fixtures/PluginMisbehave"),
        .target(name: "PluginBadMajor", dependencies: ["PluginFixtureCommon"], path: "Tests/Fixtures/PluginBadMajor"),
        .target(name: "PluginShortStruct", dependencies: ["PluginFixtureCommon"], path: "Tests/Fixtures/PluginShortStruct"),
        .target(name: "PluginNoEntry", dependencies: ["PluginFixtureCommon"], path: "Tests/Fixtures/PluginNoEntry"),
        .target(name: "PluginNoInit", dependencies: ["PluginFixtureCommon"], path: "Tests/Fixtures/PluginNoInit"),
        .target(name: "GrokTemplate"),
        .target(
            name: "GrokClient",
            dependencies: ["CGrokSpawn", "GrokJSON", "GrokProtocol", "GrokRPC"]
        ),
        .executableTarget(
            name: "grokd",
            dependencies: [
                "GrokDaemon", "GrokRPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "grokctl",
            dependencies: [
                "CEditLine", "GrokClient", "GrokJSON", "GrokLearning", "GrokProtocol", "GrokRPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "grok-bench",
            dependencies: [
                "GrokClient", "GrokJSON", "GrokProtocol", "GrokRPC", "GrokEngine", "GrokPlugins", "GrokStore", "GrokTestModels", "GrokLearning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GrokJSONTests", dependencies: ["GrokJSON", "CJansson"]),
        .testTarget(name: "GrokTemplateTests", dependencies: ["GrokTemplate"]),
        .testTarget(name: "GrokLearningTests", dependencies: ["GrokLearning"]),
        .testTarget(
            name: "GrokStoreTests",
            dependencies: ["GrokStore", "GrokJSON", "GrokProtocol", "GrokLearning", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "GrokPluginsTests", dependencies: ["GrokPlugins", "GrokJSON", "GrokProtocol", "CGrokPlugin"]),
        .testTarget(
            name: "GrokEngineTests", dependencies: ["GrokEngine", "GrokJSON", "GrokTestModels"], exclude: ["Fixtures"],
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        .testTarget(
            name: "GrokRPCTests",
            dependencies: [
                "GrokRPC", "GrokJSON", "GrokProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GrokDaemonTests",
            dependencies: ["GrokDaemon", "GrokClient", "GrokRPC", "GrokJSON", "GrokProtocol", "GrokEngine", "GrokStore", "GrokPlugins", "GrokTemplate", "GrokLearning",
                           "GrokTestModels"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
