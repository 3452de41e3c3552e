import Foundation
import GrokClient
import GrokJSON
import GrokProtocol
import GrokRPC
import GrokTestModels
import Testing

/// Models of the other architectures through the real daemon: tiny seeded Llama, Qwen 2 and
/// Qwen 3 files (written by GrokTestModels; no real weights of those families can be fetched
/// here) named per request beside the default model, and models whose chat templates make
/// tool calls in their own formats.
@Suite(.serialized) struct OtherArchitecturesTests {
    static func greedy(_ maxTokens: Int) -> Generate.Options {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        return options
    }

    @Test func eachArchitectureAnswersBesideTheDefaultModel() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        let folder = daemon.root + "/data/grok/models"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for architecture in TinyModel.Architecture.allCases {
            try TinyModel(architecture, seed: 11).write(to: "\(folder)/tiny-\(architecture.rawValue).gguf")
        }
        let listed = try await client.call(ModelList.self, NoParams()).models
        for architecture in TinyModel.Architecture.allCases {
            let entry = listed.first { $0.name == "tiny-\(architecture.rawValue)" }
            #expect(entry?.architecture == architecture.rawValue && entry?.contextLength == 2048, "\(String(describing: entry))")
            var params = Generate.Params(prompt: "hello world", options: Self.greedy(12))
            params.model = "tiny-\(architecture.rawValue)"
            let first = try await client.call(Generate.self, params)
            let again = try await client.call(Generate.self, params)
            // A random model says nothing sensible, but it says it deterministically, to the end or
            // to an end-of-generation token it happens to draw.
            #expect((first.ids.count == 12 && first.finishReason == "length") || (first.finishReason == "stop" && !first.ids.isEmpty),
                    "\(architecture): \(first)")
            #expect(first.ids == again.ids, "\(architecture): \(first.ids) then \(again.ids)")
            #expect(first.usage.promptTokens > 0)
            // Its own tokenizer, by name: the little vocabulary has a token per word.
            let ids = try await client.call(Tokenize.self, .init(text: "hello world", addSpecial: false, model: params.model)).ids
            #expect(ids.count == 2, "\(architecture): \(ids)")
            #expect(try await client.call(Detokenize.self, .init(ids: ids, model: params.model)).text == "hello world")
        }
        // The default model still answers requests that name none, as llama.cpp does.
        let plain = try await client.call(Generate.self, .init(prompt: "The capital of France is", options: Self.greedy(4)))
        #expect(plain.ids == [506, 5279, 529, 506], "\(plain.ids)")
        await client.close()
    }

    @Test func aFileOfAnUnsupportedArchitectureIsRefusedByName() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        var writer = TinyModel(.llama, seed: 3).writer()
        writer.metadata = writer.metadata.map { key, value in
            key == "general.architecture" ? (key, .string("mamba9")) : (key, value)
        }
        let path = try writer.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var params = Generate.Params(prompt: "hi", options: Self.greedy(2))
        params.model = path
        do {
            _ = try await client.call(Generate.self, params)
            Issue.record("a mamba9 file was run")
        } catch let error as RPCError {
            #expect(error.message.contains("architecture mamba9 is not supported"), "\(error.message)")
        }
        #expect(try await client.call(Generate.self, .init(prompt: "hi", options: Self.greedy(2))).ids.count == 2)
        await client.close()
    }

    /// Models with real chat templates that know tools (Qwen 2.5's, Llama 3.1's, Mistral
    /// Nemo's): the template lists the tools, and a required call is written in the model's own
    /// format under the call grammar (valid even from random weights), run through its plugin
    /// and reported. The tool takes no arguments: random weights would fill a free string
    /// argument without end.
    @Test(arguments: [
        (TinyModel.Architecture.qwen2, "Qwen-Qwen2.5-7B-Instruct", "<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"sysinfo.now\"", "arguments"),
        (.llama, "meta-llama-Llama-3.1-8B-Instruct", "Given the following functions", "parameters"),
        (.llama, "mistralai-Mistral-Nemo-Instruct-2407", "[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\": \"sysinfo.now\"", "arguments"),
    ])
    func templatesWithToolsCallInTheirOwnFormat(_ architecture: TinyModel.Architecture, _ name: String, _ listing: String, _ key: String) async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        #expect(try await PluginTests.ready(client, ["sysinfo"]))
        let template = try String(contentsOfFile: ChatPromptTests.templatePath(name), encoding: .utf8)
        var writer = TinyModel(architecture, seed: 5).writer()
        writer.metadata.append(("tokenizer.chat_template", .string(template)))
        let path = try writer.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var params = Chat.Params(message: "What time is it?", options: Self.greedy(96), retrieval: "off", tools: ["sysinfo.now"], toolChoice: "required")
        params.model = path
        let prompt = try await client.call(ChatPromptPreview.self, params).prompt
        #expect(prompt.contains(listing) && !prompt.contains("```tool_call"), "\(prompt)")
        let answer = try await client.call(Chat.self, params)
        let call = try #require(answer.toolCalls?.first)
        #expect(call.name == "sysinfo.now" && call.error == nil && call.result?.content.isEmpty == false, "\(call)")
        let written = try JSONCodec.parse(string: call.text)
        #expect(written["name"]?.stringValue == "sysinfo.now" && written[key]?.objectValue?.isEmpty == true, "\(call.text)")
        await client.close()
    }
}
