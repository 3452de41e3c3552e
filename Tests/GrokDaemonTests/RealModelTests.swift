import Foundation
import GrokClient
import GrokProtocol
import GrokRPC
import GrokTestModels
import Testing
@testable import GrokDaemon

/// SmolLM2-135M-Instruct through the real daemon in every quantisation of
/// `scripts/fetch-parity` (as shipped, and requantized by llama.cpp's llama-quantize): it loads,
/// tokenizes every reference string as llama.cpp does, and answers a chat turn that ends at its
/// end-of-turn token without writing out the system text.
@Suite(.serialized) struct RealModelTests {
    /// The files people download; `Q2_K_pure` (every matrix Q2_K) only has to load and tokenize:
    /// at two bits a 135M model writes gibberish, in llama.cpp as here.
    static let variants = ["Q4_1", "Q8_0", "Q4_K_M", "Q5_K_M", "Q3_K_M", "Q2_K", "IQ4_XS", "Q2_K_pure"]

    @Test(arguments: variants)
    func loadsTokenizesAndAnswers(_ name: String) async throws {
        let path = SmolLM2Files.model(name)
        try #require(FileManager.default.fileExists(atPath: path), "\(path) is missing: run scripts/fetch-parity (make test does)")
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel(path)
        defer { withExtendedLifetime(daemon) {} }
        #expect(try await client.call(ModelInfo.self, NoParams()).architecture == "llama")

        let reference = try LlamaCppReference(json: SmolLM2Files.reference(name)).tokenizations
        #expect(reference.count >= 40)
        for entry in reference {
            let ids = try await client.call(Tokenize.self, .init(text: entry.text, addSpecial: entry.addBOS, parseSpecial: entry.parseSpecial)).ids
            #expect(ids == entry.ids, "\(name): \(entry.text.debugDescription) special=\(entry.parseSpecial)")
        }

        guard name != "Q2_K_pure" else { return }
        var options = Generate.Options()
        options.seed = 7
        options.maxTokens = 160
        let answer = try await client.call(Chat.self, .init(message: "What is the capital of France?", options: options, retrieval: "off"))
        #expect(answer.finishReason == "stop", "\(name): \(answer.text)")
        #expect(!answer.text.isEmpty && !answer.text.contains("<|im_"), "\(name): \(answer.text)")
        let echoed = ChatTests.wordRuns(ChatPrompt.system, length: 4).intersection(ChatTests.wordRuns(answer.text, length: 4))
        #expect(echoed.isEmpty, "\(name): \(answer.text) (echoes \(echoed))")
        print("\(name): \(answer.text.debugDescription)")
    }
}
