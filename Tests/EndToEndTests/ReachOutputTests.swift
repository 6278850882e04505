import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// The HTML export, the public status page and the metrics report, run through the binary.
@Suite(.serialized) struct ReachOutputTests {
    static let hostile = "<script>alert(1)</script>"

    /// An incident with a hostile title, a back-filled note, a decision, a status-page
    /// update, evidence handed over, an action item; acknowledged late, contained, resolved.
    func richIncident(_ e: E2E) throws {
        #expect(try e.run("declare", Self.hostile, "--severity", "high", "--started-at", "2026-01-05T13:50:00Z",
                          "--at", "2026-01-05T14:05:00Z", "--public-title", "Card payments <b>failing</b>").status == 0)
        #expect(try e.run("ack", "1", "--at", "2026-01-05T15:30:00Z").status == 0)  // due 15:05: breached
        #expect(try e.run("assign", "1", "ic", "Zed Commander", "--at", "2026-01-05T15:31:00Z").status == 0)
        #expect(try e.run("note", "1", "INTERNAL-NOTE-42 the db password was in the log", "--at", "2026-01-05T15:32:00Z").status == 0)
        #expect(try e.run("note", "1", "--kind", "decision", "Roll back to v1.4 & \"hope\"", "--at", "2026-01-05T15:33:00Z").status == 0)
        #expect(try e.run("comms", "1", "status-page", "--record", "--at", "2026-01-05T15:34:00Z").status == 0)
        let evidence = e.store + "-evidence.log"
        try "log line\n".write(toFile: evidence, atomically: true, encoding: .utf8)
        #expect(try e.run("evidence", "add", "1", evidence, "--note", "LB logs", "--at", "2026-01-05T15:35:00Z").status == 0)
        #expect(try e.run("evidence", "transfer", "1", "E1", "--to", "forensics-team", "--at", "2026-01-05T15:36:00Z").status == 0)
        #expect(try e.run("contain", "1", "--at", "2026-01-05T15:40:00Z").status == 0)
        #expect(try e.run("resolve", "1", "--at", "2026-01-05T16:00:00Z").status == 0)
        #expect(try e.run("action", "add", "1", "Canary deploys", "--owner", "bob", "--due", "2026-01-20T00:00:00Z", "--at", "2026-01-05T16:05:00Z").status == 0)
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// A message naming an output file stays one line whatever the name holds.
    @Test func aWrittenFilesNameIsShownOnOneLine() throws {
        let e = E2E()
        _ = try e.declare()
        let dir = e.store + "-out/d\nx"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for args in [["export", "1", "--html", "--output", dir + "/a\tb.html"], ["postmortem", "1", "--output", dir + "/pm.md"]] {
            let r = try runBinary(args, store: e.store)
            #expect(r.status == 0 && r.stdout.utf8.filter { $0 == 0x0A }.count == 1 && r.stdout.contains("d\\nx"), "\(args): \(r.stdout)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/a\tb.html") && FileManager.default.fileExists(atPath: dir + "/pm.md"))
    }

    @Test func exportIsOneEscapedSelfContainedPage() throws {
        let e = E2E()
        try richIncident(e)
        let r = try e.run("export", "1", "--html", "--at", "2026-01-06T00:00:00Z")
        #expect(r.status == 0, "\(r.stderr)")
        let page = r.stdout
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.lowercased().contains("<script"))
        #expect(page.contains("Roll back to v1.4 &amp; &quot;hope&quot;"))
        // Nothing fetched: no external resource of any kind.
        for bad in ["src=", "@import", "url(", "<link", "href=\"http"] { #expect(!page.contains(bad), "\(bad)") }
        // One timeline element per entry, deadlines drawn met and breached.
        let show = try e.object("show", "1")
        let timeline = try #require(show["timeline"] as? [[String: Any]])
        #expect(Self.count("<li class=\"entry ", in: page) == timeline.count)
        #expect(Self.count("<circle class=\"tick\"", in: page) == timeline.count)
        #expect(page.contains("<li class=\"deadline breached\"") && page.contains("Acknowledge"))
        #expect(page.contains("<li class=\"deadline met\""))
        #expect(page.contains("<g class=\"deadline breached\">") && page.contains("<g class=\"deadline met\">"))
        #expect(page.contains("id=\"chain\">hash chain verifies"))
        for section in ["facts", "roles", "timeline", "sla", "decisions", "comms", "actions", "evidence", "integrity"] {
            #expect(page.contains("<section id=\"\(section)\">"), "\(section)")
        }
        #expect(page.contains("Zed Commander") && page.contains("forensics-team") && page.contains("Canary deploys"))
        #expect(page.contains("@media print"))

        let file = e.store + "-out/report.html"
        let w = try e.run("export", "1", "--html", "--output", file)
        #expect(w.status == 0)
        #expect(FileManager.default.fileExists(atPath: file))
        let inline = try #require(try e.json("export", "1", "--html") as? [String: Any])
        #expect((inline["html"] as? String)?.hasPrefix("<!DOCTYPE html>") == true)
        #expect(try e.run("export", "1").status == 2)
        #expect(try e.run("export", "99", "--html").status == 3)
    }

    @Test func exportSaysWhenTheHashChainIsBroken() throws {
        let e = E2E()
        _ = try e.declare()
        #expect(try e.run("note", "1", "original text").status == 0)
        let path = e.store + "/active/INC-1.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "original text", with: "edited text").write(toFile: path, atomically: true, encoding: .utf8)
        let r = try e.run("export", "1", "--html")
        #expect(r.status == 0)
        #expect(r.stdout.contains("hash chain does NOT verify"))
    }

    @Test func statusPageShowsOnlyWhatIsPublic() throws {
        let e = E2E()
        try richIncident(e)
        #expect(try e.run("declare", "Secret internal title", "--severity", "low", "--summary", "internal summary XYZ",
                          "--at", "2026-01-06T09:00:00Z").status == 0)
        #expect(try e.run("declare", "Drill title", "--severity", "low", "--drill", "--public-title", "Drill public title",
                          "--at", "2026-01-06T09:10:00Z").status == 0)
        #expect(try e.run("declare", "Ongoing internal", "--severity", "high", "--public-title", "Login slow for some users",
                          "--at", "2026-01-06T10:00:00Z").status == 0)
        let dir = e.store + "-site"
        let r = try e.run("status-page", "--output", dir, "--at", "2026-01-06T12:00:00Z", "--base-url", "https://status.example.com")
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        let feed = try String(contentsOfFile: dir + "/feed.xml", encoding: .utf8)
        #expect(page.contains("Card payments &lt;b&gt;failing&lt;/b&gt;"))
        #expect(page.contains("Login slow for some users"))
        #expect(page.contains("1 ongoing incident"))
        #expect(page.contains("some of our services"))  // the recorded status-page update
        for secret in ["INTERNAL-NOTE-42", "alert(1)", "Secret internal title", "internal summary XYZ", "Zed Commander",
                       "alice", "forensics-team", "evidence", "INC-", "Drill", "Ongoing internal", "Roll back"] {
            #expect(!page.contains(secret), "the status page shows \(secret)")
            #expect(!feed.contains(secret), "the feed shows \(secret)")
        }
        #expect(!page.lowercased().contains("<script"))
        #expect(feed.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"))
        #expect(feed.contains("<id>https://status.example.com/feed.xml</id>"))
        #expect(Self.count("<entry>", in: feed) == Self.count("</entry>", in: feed) && Self.count("<entry>", in: feed) >= 4)
        let parser = XMLParser(data: Data(feed.utf8))
        #expect(parser.parse(), "feed.xml is not well-formed XML")

        // Nothing public at all: an empty, operational page.
        let quiet = E2E()
        _ = try quiet.declare("Only internal")
        #expect(try quiet.run("status-page", "-o", quiet.store + "-site").status == 0)
        let empty = try String(contentsOfFile: quiet.store + "-site/index.html", encoding: .utf8)
        #expect(empty.contains("All systems operational") && !empty.contains("Only internal"))
        #expect(try quiet.run("status-page").status == 2)
    }

    @Test func publicTitleCanBeSetAndWithdrawn() throws {
        let e = E2E()
        _ = try e.declare()
        #expect(try e.run("public-title", "1", "Checkout errors").status == 0)
        #expect(try e.object("show", "1")["publicTitle"] as? String == "Checkout errors")
        #expect(try e.run("verify", "1").status == 0)  // the cached state carries it too
        #expect(try e.run("public-title", "1", "--clear").status == 0)
        #expect(try e.object("show", "1")["publicTitle"] == nil)
        #expect(try e.run("public-title", "1").status == 2)
    }

    /// Withdrawing the public title takes the incident off the page and the feed, updates and
    /// all; the customer email never carries the internal title, summary or notes; the page is
    /// readable by a web server, and a link in the way stops the run before anything is written.
    @Test func whatCustomersSeeStaysPublicAndPublishable() throws {
        let e = E2E()
        #expect(try e.run("declare", "Acme tenant DB dropped by bob", "--severity", "high", "--summary", "bob ran drop on prod-db-7",
                          "--public-title", "Payments degraded").status == 0)
        #expect(try e.run("note", "1", "--kind", "mitigation", "restored prod-db-7 from the 02:00 backup").status == 0)
        let email = try e.run("comms", "1", "customer-email")
        #expect(email.status == 0 && email.stdout.contains("Subject: Service incident update: Payments degraded"), "\(email.stdout)")
        for secret in ["Acme", "bob", "prod-db-7", "backup"] { #expect(!email.stdout.contains(secret), "the email shows \(secret)") }
        // A team's own customer email may not pull the internal title in.
        try FileManager.default.createDirectory(atPath: e.store + "/templates", withIntermediateDirectories: true)
        try "Subject: {{title}}\n\nHello.\n".write(toFile: e.store + "/templates/customer-email.md", atomically: true, encoding: .utf8)
        let leaky = try e.run("comms", "1", "customer-email")
        #expect(leaky.status == 2 && leaky.stderr.contains("{{title}}") && !leaky.stdout.contains("Acme"), "\(leaky.stderr)")
        try FileManager.default.removeItem(atPath: e.store + "/templates/customer-email.md")
        #expect(try e.run("comms", "1", "status-page", "--record").status == 0)
        let site = e.store + "-site"
        #expect(try e.run("status-page", "--output", site).status == 0)
        var st = stat()
        #expect(stat(site + "/index.html", &st) == 0 && st.st_mode & 0o777 == 0o644)
        #expect(stat(site + "/feed.xml", &st) == 0 && st.st_mode & 0o777 == 0o644)
        #expect(try String(contentsOfFile: site + "/index.html", encoding: .utf8).contains("Payments degraded"))
        #expect(!(try String(contentsOfFile: site + "/index.html", encoding: .utf8).contains("**")))
        #expect(try e.run("public-title", "1", "--clear").status == 0)
        #expect(try e.run("status-page", "--output", site).status == 0)
        for file in ["index.html", "feed.xml"] {
            let text = try String(contentsOfFile: site + "/" + file, encoding: .utf8)
            #expect(!text.contains("Payments degraded"), "\(file) still shows the withdrawn title")
        }
        // A link planted at one target: refused, and the other file is left as it was.
        let page = try String(contentsOfFile: site + "/index.html", encoding: .utf8)
        try FileManager.default.removeItem(atPath: site + "/feed.xml")
        #expect(symlink(e.store + "-victim", site + "/feed.xml") == 0)
        #expect(try e.run("public-title", "1", "Payments degraded again").status == 0)
        #expect(try e.run("status-page", "--output", site).status == 4)
        #expect(try String(contentsOfFile: site + "/index.html", encoding: .utf8) == page)
        #expect(!FileManager.default.fileExists(atPath: e.store + "-victim"))
    }

    @Test func reportFiguresFollowTheirDefinitions() throws {
        let e = E2E()
        // Three real incidents: acknowledged 10, 20 and 60 minutes after the impact start
        // (declared 5 minutes after it); one resolved; plus a drill that must not count.
        let specs: [(String, String, Int)] = [("A", "high", 10), ("B", "high", 20), ("C", "low", 60)]
        for (i, (title, severity, ackMinutes)) in specs.enumerated() {
            let day = String(format: "2026-0%d-05", i + 1)
            #expect(try e.run("declare", title, "--severity", severity, "--started-at", "\(day)T10:00:00Z", "--at", "\(day)T10:05:00Z").status == 0)
            #expect(try e.run("ack", String(i + 1), "--at", String(format: "\(day)T1%d:%02d:00Z", ackMinutes / 60, ackMinutes % 60)).status == 0)
        }
        #expect(try e.run("resolve", "1", "--at", "2026-01-05T12:00:00Z").status == 0)
        #expect(try e.run("declare", "Drill", "--severity", "high", "--drill", "--at", "2026-02-10T10:00:00Z").status == 0)
        #expect(try e.run("ack", "4", "--at", "2026-02-10T18:00:00Z").status == 0)

        let report = try #require(try e.json("report", "--by", "severity", "--at", "2026-06-01T00:00:00Z") as? [String: Any])
        #expect((report["excluded"] as? [String: Int])?["drills"] == 1)
        let overall = try #require(report["overall"] as? [String: Any])
        #expect(overall["incidents"] as? Int == 3)
        let ack = try #require(overall["timeToAcknowledge"] as? [String: Any])
        let fromStart = try #require(ack["fromImpactStart"] as? [String: Any])
        #expect(fromStart["n"] as? Int == 3)
        #expect(fromStart["meanSeconds"] as? Int == 1800)
        #expect(fromStart["medianSeconds"] as? Int == 1200)
        #expect(fromStart["p90Seconds"] as? Int == 3600)
        #expect(fromStart["worstSeconds"] as? Int == 3600)
        let fromDeclared = try #require(ack["fromDeclaration"] as? [String: Any])
        #expect(fromDeclared["medianSeconds"] as? Int == 900)
        let resolve = try #require((overall["timeToResolve"] as? [String: Any])?["fromImpactStart"] as? [String: Any])
        #expect(resolve["n"] as? Int == 1 && resolve["worstSeconds"] as? Int == 7200)
        let timers = try #require(overall["timers"] as? [[String: Any]])
        let ackRate = try #require(timers.first { $0["name"] as? String == "acknowledge" })
        #expect(ackRate["started"] as? Int == 3)
        let groups = try #require(report["groups"] as? [[String: Any]])
        #expect(groups.map { $0["key"] as? String } == ["high", "low"])

        let window = try #require(try e.json("report", "--since", "2026-02-01T00:00:00Z", "--until", "2026-03-01T00:00:00Z") as? [String: Any])
        #expect((window["overall"] as? [String: Any])?["incidents"] as? Int == 1)

        let text = try e.run("report", "--by", "month")
        #expect(text.status == 0 && text.stdout.contains("█") && text.stdout.contains("2026-01"))
        #expect(text.stdout.contains("left out of every figure: 1 drill"))
        let csv = try e.run("report", "--by", "severity", "--csv")
        let lines = csv.stdout.split(separator: "\r\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("group,title,incidents,acknowledge_from_impact_n"))
        #expect(lines[1].hasPrefix("all,All incidents,3,3,"))
        let html = try e.run("report", "--by", "severity", "--html")
        #expect(html.stdout.contains("<svg class=\"bars\" id=\"chart-count\"") && !html.stdout.lowercased().contains("<script"))
        #expect(try e.run("report", "--by", "team").status == 2)
        #expect(try e.run("report", "--csv", "--html").status == 2)
        #expect(try e.run("report", "--since", "2026-03-01T00:00:00Z", "--until", "2026-02-01T00:00:00Z").status == 2)
    }
}
