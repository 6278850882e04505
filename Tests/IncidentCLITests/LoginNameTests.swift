import Testing
@testable import IncidentCLI

/// The author's login name comes from `/etc/passwd` read directly (the static release build
/// must not call into NSS): the parser finds the entry by uid and ignores everything else.
@Suite struct LoginNameTests {
    let passwd = Array("""
    root:x:0:0:root:/root:/bin/bash
    # a comment:x:1000:1000::/:/bin/sh
    +nisuser:x:1000:1000::/:/bin/sh
    -blocked:x:1000:1000::/:/bin/sh
    :x:1000:1000::/:/bin/sh
    broken line without colons
    short:x
    alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
    alias:x:1000:1000::/home/alice:/bin/bash
    bob:x:4294967294:100::/home/bob:/bin/sh
    carol:x:12a:100::/:/bin/sh

    """.utf8)

    @Test func findsTheFirstEntryWithTheUid() {
        #expect(CLI.userName(uid: 0, passwd: passwd) == "root")
        #expect(CLI.userName(uid: 1000, passwd: passwd) == "alice")
        #expect(CLI.userName(uid: 4_294_967_294, passwd: passwd) == "bob")
    }

    @Test func aUidWithNoEntryHasNoName() {
        #expect(CLI.userName(uid: 12345, passwd: passwd) == nil)
        #expect(CLI.userName(uid: 0, passwd: []) == nil)
        #expect(CLI.userName(uid: 1000, passwd: Array("alice:x:1000".utf8)) == "alice")
        #expect(CLI.userName(uid: 7, passwd: [0xFF, 0x3A, 0x78, 0x3A, 0x37, 0x3A]) == nil)  // a name that is not UTF-8
    }

    /// Whatever the process's user, the lookup answers without trapping (on this machine's
    /// real files).
    @Test func theRealLookupAnswers() {
        let name = CLI.loginName()
        #expect(name.map { !$0.isEmpty && !$0.contains(":") && !$0.contains("\n") } ?? true)
    }
}

/// Tables and timer lines are padded by terminal columns: a CJK name is two columns a
/// character, a combining accent none.
@Suite struct ColumnWidthTests {
    @Test func tablesAlignWideAndCombiningText() {
        let text = tableText(["普通", "x", "ab", "y", "e\u{301}", "z", "\u{1B}[1mID\u{1B}[0m", "w"], columns: 2)
        #expect(text.split(separator: "\n").map(String.init) == ["普通  x", "ab    y", "e\u{301}     z", "\u{1B}[1mID\u{1B}[0m    w"])
        #expect(visibleWidth("王小明") == 6)
        #expect(visibleWidth("plain") == 5)
        #expect(visibleWidth("\u{1B}[31mOVERDUE\u{1B}[0m") == 7)
    }

    /// An emoji drawn from several scalars is one glyph of two columns: joined by zero-width
    /// joiners (👩‍💻, a family of four), with a skin tone (👍🏽), or both. A joiner between
    /// narrow letters joins nothing on a terminal.
    @Test func emojiSequencesAreOneGlyph() {
        let coder = "\u{1F469}\u{200D}\u{1F4BB}"
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
        let thumbs = "\u{1F44D}\u{1F3FD}"
        let toned = "\u{1F9D1}\u{1F3FD}\u{200D}\u{1F692}"
        for (text, columns) in [(coder, 2), (family, 2), (thumbs, 2), (toned, 2), ("a\u{200D}b", 2), (coder + "ok" + family, 6)] {
            #expect(visibleWidth(text) == columns, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        let table = tableText([family, "x", "ab", "y"], columns: 2)
        #expect(table.split(separator: "\n").map(String.init) == [family + "  x", "ab  y"])
        // Cut to a width, a sequence is kept whole or left out whole.
        #expect(WatchScreen.fit("ab" + family + "cdef", width: 5) == "ab" + family + "…")
        #expect(WatchScreen.fit("abc" + family + "def", width: 5) == "abc…")
    }
}

@Suite struct VisibleWidthScanTests {
    /// Eight ASCII bytes at a time, until an escape byte or a byte past ASCII: the count must
    /// not depend on where either falls.
    @Test func escapesAndWideTextAtEveryOffset() {
        for before in 0...17 {
            for after in 0...9 {
                let a = String(repeating: "a", count: before), b = String(repeating: "b", count: after)
                #expect(visibleWidth(a + b) == before + after)
                #expect(visibleWidth(a + "\u{1B}[31;1m" + b + "\u{1B}[0m") == before + after)
                #expect(visibleWidth(a + "王" + b) == before + 2 + after)
                #expect(visibleWidth(a + "e\u{301}" + b) == before + 1 + after)
            }
        }
    }

    /// The table is laid out as a plain padding of each cell to its column's widest.
    @Test func tablesPadEveryCellToItsColumn() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "bb", "ccc", "—", "王", "e\u{301}", "\u{1B}[1mB\u{1B}[0m", "", "INC-10000", "Detection & Analysis"]
        for columns in 1...8 {
            for rows in 1...6 {
                let cells = (0..<(columns * rows)).map { _ in (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
                var widths = Array(repeating: 0, count: columns)
                for (i, c) in cells.enumerated() { widths[i % columns] = max(widths[i % columns], visibleWidth(c)) }
                var expected = ""
                for (i, c) in cells.enumerated() {
                    let column = i % columns
                    if column == 0 && i > 0 { expected += "\n" }
                    expected += c
                    if column < columns - 1 && i < cells.count - 1 { expected += String(repeating: " ", count: widths[column] + 2 - visibleWidth(c)) }
                }
                #expect(tableText(cells, columns: columns) == expected, "\(cells)")
            }
        }
    }
}
