/// The text the fidelity benchmark evaluates: prose, a list, code and numbers, a few hundred
/// tokens in every tokenizer. (Written for this benchmark.)
enum FidelityText {
    static let text = """
    The lighthouse keeper climbed the spiral stairs every evening at dusk, counting the steps as his \
    father had taught him: one hundred and twelve, no more and no fewer. From the lamp room he could \
    see the whole bay, the fishing boats returning with their nets, the gulls circling the harbour \
    wall, and far out on the horizon the grey line where the weather was coming from.

    Before lighting the lamp he wrote three things in the log book:
    1. the time, to the minute;
    2. the wind, by its direction and strength;
    3. any ship he could name.

    Years later, when the light was automated, an engineer found those books in a cupboard and \
    turned them into a table. Here is the small program she wrote to read them:

    def read_log(path):
        entries = []
        with open(path) as f:
            for line in f:
                time, wind, ships = line.strip().split(";")
                entries.append({"time": time, "wind": wind, "ships": ships.split(",")})
        return entries

    Between 1952 and 1987 the keeper recorded 12,784 evenings, 431 storms and the names of 2,306 \
    different ships. The longest gap in the record is nine days in March 1963, when he was ill and \
    his daughter kept the light burning without writing anything down.
    """
}
