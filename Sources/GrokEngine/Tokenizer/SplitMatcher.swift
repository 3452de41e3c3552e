/// Cuts a piece of text with a `SplitExpression` the way llama.cpp's regex fallback does:
/// find the leftmost match, then the next one after it, and so on; each match is a word, and
/// so is each stretch between matches. The walk is a plain backtracking search (ECMAScript
/// semantics: the first alternative and the longest repetition that let the rest match).
struct SplitMatcher {
    let units: [UInt32]
    /// The end of the piece: the expression sees nothing after it.
    let end: Int

    /// Appends the end of every word of `units[start..<end]` to `ends`. An empty match cuts
    /// the text where it is but makes no word (it would be tokenised to nothing).
    func split(_ expression: SplitExpression, from start: Int, into ends: inout [Int]) {
        var last = start
        var searchFrom = start
        while searchFrom <= end, let (matchStart, matchEnd) = search(expression.root, from: searchFrom) {
            var stop = matchEnd
            if stop == matchStart {
                // As `std::regex_iterator`: after an empty match, a non-empty one at the same
                // place, else search on from the next unit.
                var longer = -1
                if match(expression.root, matchStart, { position in
                    guard position > matchStart else { return false }
                    longer = position
                    return true
                }) {
                    stop = longer
                } else {
                    // The empty match still ends the stretch before it (a word of its own).
                    if matchStart > last { ends.append(matchStart) }
                    last = matchStart
                    searchFrom = matchStart + 1
                    continue
                }
            }
            if matchStart > last { ends.append(matchStart) }
            ends.append(stop)
            last = stop
            searchFrom = stop
        }
        if end > last { ends.append(end) }
    }

    /// The first place at or after `start` where the expression matches, and its match's end.
    private func search(_ root: SplitExpression.Node, from start: Int) -> (Int, Int)? {
        for position in start...end {
            var matchEnd = -1
            if match(root, position, { matchEnd = $0; return true }) { return (position, matchEnd) }
        }
        return nil
    }

    /// Whether `node` matches at `position` such that `next` accepts where it ends; tries the
    /// ends in the expression's order of preference.
    private func match(_ node: SplitExpression.Node, _ position: Int, _ next: (Int) -> Bool) -> Bool {
        switch node {
        case .unit(let set):
            return position < end && set.contains(units[position]) && next(position + 1)
        case .sequence(let items):
            return sequence(items, 0, position, next)
        case .choice(let alternatives):
            for alternative in alternatives where match(alternative, position, next) { return true }
            return false
        case .repetition(let inner, let min, let max):
            if case .unit(let set) = inner {
                // One unit at a time: count the run, then give units back one by one. No
                // recursion per unit, so long runs cannot exhaust the stack.
                var count = 0
                while count < max && position + count < end && set.contains(units[position + count]) { count += 1 }
                while count >= min {
                    if next(position + count) { return true }
                    count -= 1
                }
                return false
            }
            return repetition(inner, min: min, max: max, done: 0, position, next)
        case .fixedRepetition(let units, let min, let max):
            var count = 0
            var after = position
            while count < max, after + units.count <= end,
                  units.indices.allSatisfy({ units[$0].contains(self.units[after + $0]) }) {
                count += 1
                after += units.count
            }
            while count >= min {
                if next(position + count * units.count) { return true }
                count -= 1
            }
            return false
        case .lookahead(let inner, let negated):
            let found = match(inner, position) { _ in true }
            return found != negated && next(position)
        case .end:
            return position == end && next(position)
        }
    }

    private func sequence(_ items: [SplitExpression.Node], _ index: Int, _ position: Int, _ next: (Int) -> Bool) -> Bool {
        guard index < items.count else { return next(position) }
        return match(items[index], position) { sequence(items, index + 1, $0, next) }
    }

    private func repetition(_ inner: SplitExpression.Node, min: Int, max: Int, done: Int,
                            _ position: Int, _ next: (Int) -> Bool) -> Bool {
        if done < max, match(inner, position, { after in
            // An iteration that matches nothing ends the loop once the minimum is met (ECMAScript).
            (after > position || done < min) && repetition(inner, min: min, max: max, done: done + 1, after, next)
        }) {
            return true
        }
        return done >= min && next(position)
    }
}
