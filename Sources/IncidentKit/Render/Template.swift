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
            let path = store.templatesDirectory + "/" + name + ".md"
            if POSIXFile.kind(path) != .missing {
                let bytes = try POSIXFile.read(path, limit: 1 << 20)
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

    /// Every placeholder name the template uses, in order of first appearance.
    public var placeholders: [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            if !name.hasPrefix("!") && !names.contains(name) { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }

    public func render(_ values: [String: String]) throws -> String {
        let unknown = placeholders.filter { values[$0] == nil }
        if !unknown.isEmpty {
            throw IncidentError.template("The template \(origin) uses unknown placeholder\(unknown.count == 1 ? "" : "s") \(unknown.map { "{{\($0)}}" }.joined(separator: ", ")); known ones are: \(values.keys.sorted().joined(separator: ", ")).")
        }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            if !name.hasPrefix("!") {
                guard let value = values[name] else {
                    throw IncidentError.template("The template \(origin) uses the unknown placeholder {{\(name)}}.")
                }
                out += value
            }
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func trimmingCharacters(in c: Character) -> String { String(self).trimmingCharacters(in: c) }
}
