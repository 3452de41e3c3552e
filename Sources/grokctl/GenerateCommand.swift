import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with the loaded model, streaming the text as it comes.",
        discussion: "Ctrl-C stops the generation on the daemon. With --json, prints the whole result at the end.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "The prompt.")
    var prompt: String

    @Option(help: "Most tokens to generate.")
    var maxTokens: Int?

    @Option(help: "Sampling temperature (0: greedy).")
    var temperature: Double?

    @Option(help: "Seed, for the same output again.")
    var seed: UInt64?

    @Option(help: "Stop at this text (repeatable).")
    var stop: [String] = []

    @Option(help: "The model: a name in the models folder, or a path (default: the daemon's).")
    var model: String?

    func run() async throws {
        var sampling = Generate.Options()
        sampling.maxTokens = maxTokens
        sampling.temperature = temperature
        sampling.seed = seed
        sampling.stop = stop.isEmpty ? nil : stop
        var params = Generate.Params(prompt: prompt, options: sampling, stream: !options.json)
        params.model = model
        let client = try await options.connect()
        do {
            let result = try await CallCommand.streaming(client, Generate.self, params, printDeltas: !options.json)
            if options.json {
                Output.json(try JSONValueEncoder().encode(result), pretty: false)
            } else {
                Output.line("")
                let stats = "[\(result.usage.completionTokens) tokens, \(String(format: "%.1f", result.timings.tokensPerSecond)) tokens/s, \(result.finishReason)]"
                FileHandle.standardError.write(Data((stats + "\n").utf8))
            }
        } catch {
            Output.fail(error, json: options.json)
        }
        await client.close()
    }
}
