import Testing
@testable import GrokLearning

/// The answer presets a user's ratings choose between.
@Suite struct TasteTests {
    @Test func balancedUntilRatingsSayOtherwise() {
        var tally = TasteTally()
        #expect(tally.choice == .balanced)
        tally.ratings[.balanced] = (1, 0)
        #expect(tally.choice == .balanced)
        // Rated down twice: an untried preset gets its turn, then the other.
        tally.ratings[.balanced] = (0, 2)
        let next = tally.choice
        #expect(next != .balanced)
        tally.ratings[next] = (0, 1)
        let third = tally.choice
        #expect(third != next && third != .balanced)
        // Once one is rated up again and again it stays.
        tally.ratings[third] = (5, 0)
        #expect(tally.choice == third)
        #expect(tally.estimate(third) > tally.estimate(.balanced))
    }

    @Test func presetsShapeTheLimitAndTheInstruction() {
        #expect(TastePreset.balanced.instruction == nil && TastePreset.balanced.maxTokens(from: 128) == 128)
        #expect(TastePreset.brief.maxTokens(from: 128) == 96 && TastePreset.brief.maxTokens(from: 40) == 40)
        #expect(TastePreset.detailed.maxTokens(from: 128) == 512 && TastePreset.detailed.maxTokens(from: 2000) == 2000)
        #expect(TastePreset.brief.instruction?.contains("briefly") == true)
    }

    @Test func feedbackOnLengthNamesAPreset() {
        let answer = String(repeating: "A long answer with many words. ", count: 10)
        #expect(TasteTally.lengthSignal(comment: "Way too long!", correction: nil, answer: answer) == .brief)
        #expect(TasteTally.lengthSignal(comment: "Could use more detail", correction: nil, answer: answer) == .detailed)
        #expect(TasteTally.lengthSignal(comment: nil, correction: "Short.", answer: answer) == .brief)
        #expect(TasteTally.lengthSignal(comment: nil, correction: answer + answer + answer, answer: answer) == .detailed)
        #expect(TasteTally.lengthSignal(comment: "wrong year", correction: nil, answer: answer) == nil)
        #expect(TasteTally.lengthSignal(comment: "Too brief, say more", correction: nil, answer: answer) == .detailed)
        #expect(TasteTally.lengthSignal(comment: "that no longer works", correction: nil, answer: answer) == nil)
    }

    @Test func aCommentCanAskForALanguage() {
        #expect(TasteTally.languageRequest(comment: "Please answer in French next time") == "French")
        #expect(TasteTally.languageRequest(comment: "in german, please") == "German")
        #expect(TasteTally.languageRequest(comment: "Wrong: Paris is in France") == nil)
        #expect(TasteTally.languageRequest(comment: nil) == nil)
        #expect(TasteTally.languageRequest(comment: "Explain in plain English words") == nil)
        #expect(TasteTally.languageRequest(comment: "explain Greek letters") == nil)
        #expect(TasteTally.languageRequest(comment: "Could you reply to me in Spanish?") == "Spanish")
    }

    /// Comments a user might type, and what each asks for.
    static let layoutComments: [(String, [FormatChoice])] = [
        // Asked for.
        ("Please use bullet points", [.bullets]),
        ("Bullet points, please.", [.bullets]),
        ("Please, bullet points", [.bullets]),
        ("use bullet-points", [.bullets]),
        ("Could you put it in a numbered list?", [.bullets]),
        ("Use numbered steps", [.bullets]),
        ("I like bullet points", [.bullets]),
        ("Write it in full sentences", [.paragraphs]),
        ("plain text only", [.plain]),
        ("Answer in plain text", [.plain]),
        ("Use markdown instead of plain text", [.markdown]),
        ("Use code blocks", [.markdown]),
        ("Show me a code example", [.examples]),
        ("An example would help", [.examples]),
        ("Could you provide an example?", [.examples]),
        ("Examples please", [.examples]),
        ("There is no code example for the --force flag", [.examples]),
        ("Missing a code example", [.examples]),
        // Refused: the opposite is asked for.
        ("No bullet points, please", [.paragraphs]),
        ("Never use bullet points", [.paragraphs]),
        ("Avoid using bullet points", [.paragraphs]),
        ("I don\u{2019}t want bullet points", [.paragraphs]),
        ("Don't write it in bullet points", [.paragraphs]),
        ("No more bullet points please", [.paragraphs]),
        ("Why did you use bullet points?", [.paragraphs]),
        ("too many bullets", [.paragraphs]),
        ("paragraphs rather than bullet points", [.paragraphs]),
        ("Don't use markdown", [.plain]),
        ("No need for markdown", [.plain]),
        ("without using markdown please", [.plain]),
        ("not plain text: use headings", [.markdown]),
        ("no code examples, thanks", [.noExamples]),
        ("No more code examples", [.noExamples]),
        ("It doesn't need an example", [.noExamples]),
        ("Please leave out code examples", [.noExamples]),
        // A request beats a refusal of the same aspect; several aspects at once.
        ("Don't use bullets, use a numbered list", [.bullets]),
        ("Use a numbered list, not bullets", [.bullets]),
        ("Give me an example, as bullet points, without markdown", [.bullets, .plain, .examples]),
        // Only mentioned, or about the content: nothing is asked for.
        ("The list of flags is wrong", []),
        ("You should use a list comprehension instead of a loop", []),
        ("Give me a list of all the flags", []),
        ("For example, the date is wrong", []),
        ("Wrong: see the examples section of the man page", []),
        ("That's not the example I asked for", []),
        ("Bullet points are annoying to read on a phone", []),
        ("The problem with bullet points is the spacing", []),
        ("The config file is plain text, not YAML", []),
        ("It should read the file as plain text", []),
        ("The README is in markdown", []),
        ("Without a code example this is useless", []),
        ("Explain in plain English", []),
        ("Pass the API key in headers, not query params", []),
        ("Run ffmpeg with sample rate 48000", []),
        ("It's not formatting the date as ISO 8601", []),
        ("", []),
    ]

    @Test func aCommentCanAskForALayout() {
        for (comment, expected) in Self.layoutComments {
            #expect(FormatChoice.requests(comment: comment) == expected, "\(comment)")
        }
        #expect(FormatChoice.requests(comment: nil) == [])
        #expect(Set(FormatChoice.allCases.map(\.instruction)).count == FormatChoice.allCases.count)
        #expect(FormatChoice.allCases.allSatisfy { $0.opposite.opposite == $0 && $0.opposite.aspect == $0.aspect })
    }
}
