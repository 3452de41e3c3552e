import ArgumentParser

/// `grok-bench`: prints figures (never asserts them). See the README for how to read them.
@main
struct GrokBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-bench",
        abstract: "Benchmarks for grok: the JSON codec, the RPC transport and the engine.",
        subcommands: [CodecBenchmark.self, RPCBenchmark.self, EngineBenchmark.self, ArchitectureBenchmark.self, SpeculativeBenchmark.self, ServeBenchmark.self, ChatBenchmark.self, PluginBenchmark.self, StoreBenchmark.self, LearningBenchmark.self, ExemplarBenchmark.self, FidelityBenchmark.self, QuantBenchmark.self])
}
