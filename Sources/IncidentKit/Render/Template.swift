#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `{{name}}` substitution. A placeholder the renderer does not know is an error naming it,
/// so a typo in a template never renders as a silent blank. `{{!comment}}` is dropped.
public struct Template: Sendable {
    public var name: String
    public var text: String
    /// Where the text came from (a path, or "built in").
    public var origin: String

    public init(name: String, text: String, origin: String) {
        self.name = name; self.text = text; self.origin = origin
    }

    /// Store override first (`<store>/templates/NAME.md`), then the shipped one.
    public static func load(_ name: String, store: Store?) throws -> Template {
        // Names become file names: letters, digits and hyphens only, never a path.
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw IncidentError.unknownName(category: "template", name: String(name.prefix(64)), known: shippedNames)
        }
        if let store {
            // Read through the store's one read path: a link (the file or templates/ itself),
            // a FIFO or an oversized file is an error, never followed or waited on.
            let path = store.templatesDirectory + "/" + name + ".md"
            var bytes: [UInt8]?
            do { bytes = try POSIXFile.read(path, limit: 1 << 20) } catch IncidentError.notFound {}
            if let bytes {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw IncidentError.template("The template \(path) is not valid UTF-8.")
                }
                return Template(name: name, text: text, origin: path)
            }
        }
        guard let text = EmbeddedResources.templates[name] else {
            throw IncidentError.unknownName(category: "template", name: name, known: shippedNames)
        }
        return Template(name: name, text: text, origin: "built-in \(name).md")
    }

    public static var shippedNames: [String] { EmbeddedResources.templates.keys.sorted() }

    /// The template as literal text and `{{placeholders}}`, in order. One linear pass over
    /// the bytes: a store template can hold a megabyte of placeholders.
    enum Piece { case text(Substring), placeholder(String) }

    var pieces: [Piece] {
        var out: [Piece] = []
        let u = text.utf8
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        func pair(_ byte: UInt8, at i: String.Index) -> Bool {
            guard u[i] == byte else { return false }
            let next = u.index(after: i)
            return next < u.endIndex && u[next] == byte
        }
        var literalStart = u.startIndex
        var i = u.startIndex
        scan: while i < u.endIndex {
            guard pair(open, at: i) else { i = u.index(after: i); continue }
            let nameStart = u.index(i, offsetBy: 2)
            var j = nameStart
            while j < u.endIndex {
                if pair(close, at: j) {
                    out.append(.text(text[literalStart..<i]))
                    out.append(.placeholder(String(text[nameStart..<j]).trimmingCharacters(in: " ")))
                    i = u.index(j, offsetBy: 2)
                    literalStart = i
                    continue scan
                }
                j = u.index(after: j)
            }
            break  // an unclosed {{ is literal text, as is everything after it
        }
        out.append(.text(text[literalStart...]))
        return out
    }

    /// Every placeholder name the template uses, in order of first appearance.
    public var placeholders: [String] {
        var names: [String] = []
        var seen = Set<String>()
        for case let .placeholder(name) in pieces where !name.hasPrefix("!") && seen.insert(name).inserted {
            names.append(name)
        }
        return names
    }

    public func render(_ values: [String: String]) throws -> String {
        let pieces = self.pieces
        var unknown: [String] = []
        var seen = Set<String>()
        for case let .placeholder(name) in pieces where !name.hasPrefix("!") && values[name] == nil && seen.insert(name).inserted {
            unknown.append(name)
        }
        if !unknown.isEmpty {
            throw IncidentError.template("The template \(origin) uses unknown placeholder\(unknown.count == 1 ? "" : "s") \(unknown.prefix(10).map { "{{\(String($0.prefix(60)))}}" }.joined(separator: ", "))\(unknown.count > 10 ? " and \(unknown.count - 10) more" : ""); known ones are: \(values.keys.sorted().joined(separator: ", ")).")
        }
        var out = ""
        for piece in pieces {
            switch piece {
            case let .text(literal): out += literal
            case let .placeholder(name):
                if name.hasPrefix("!") { continue }
                guard let value = values[name] else {
                    throw IncidentError.template("The template \(origin) uses the unknown placeholder {{\(name)}}.")
                }
                out += value
            }
        }
        return out
    }
}

extension Substring {
    func trimmingCharacters(in c: Character) -> String { String(self).trimmingCharacters(in: c) }
}
