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
}
