/// Markdown runbooks written for these tests (not copies of any real document), one per
/// layout the importer must read.
public enum ImportFixtures {
    /// A level column beside a name column; timer names in the headers; untimed cells.
    public static let levelAndNameTable = """
    # Payments outage policy

    ## Levels

    | Level | Name | Acknowledge | Mitigate | Restore | Customer updates | Typical case |
    |:-----:|------|-------------|----------|---------|------------------|--------------|
    | 1 | Emergency | 10 minutes | 1 hour | 4 hours | every 20 minutes | all card payments fail |
    | 2 | Serious | 30 min | 4 h | 1 business day | hourly | one region down for more than 2 hours |
    | 3 | Routine | 4 hours | n/a | best effort | — | a report is late |
    """

    /// A bullet ladder with aliases in brackets, then em-dash target lines with spelled-out numbers.
    public static let bracketsAndEmDashes = """
    # Mobile app incident guide

    ## Severity

    - **P0 [Blocker]** — the whole app is unusable
    - **P1 [Major]** — a core flow is broken
    - **P2 [Minor]** — something is degraded and has a workaround

    ## Targets

    - P0 — acknowledge within five minutes — restore within two hours
    - P1 — acknowledge within fifteen minutes — restore within one business day
    - P2 — acknowledge within one business day
    """

    /// A numbered ladder with nested bullets: each bullet's level is its parent item's.
    public static let nestedList = """
    # Data platform on-call

    ## Severity ladder

    1. **Sev 1**
       - Whole pipeline stopped.
       - Page the owner within 5 min.
       - Post a status update every 30 minutes.
    2. **Sev 2**
       - One job late.
       - Page the owner within 1 hr.
    3. **Sev 3**
       - Cosmetic.
       - Handle during business hours.
    """

    /// Letters for levels, in a `Class` column.
    public static let lettersTable = """
    # Facilities incidents

    | Class | What it means | Respond | Resolve |
    | --- | --- | --- | --- |
    | A | building unsafe | 15m | 8h |
    | B | one floor affected | 2h | 3 days |
    | C | inconvenience | 1 bd | 2 weeks |
    """

    /// Least severe first; the importer must turn it around.
    public static let ascendingLadder = """
    # Support escalation

    | SEV | Meaning | Time to restore |
    | --- | --- | --- |
    | 1 | Informational | none |
    | 2 | Minor impact | 1 business day |
    | 3 | Major impact | 8 hours |
    | 4 | Critical | 2 hours |
    """

    /// Per-level sentences, cadences, ranges, either-or, counted from resolution.
    public static let sentences = """
    # Web platform runbook

    ## Severity levels

    - SEV1: site down or data at risk
    - SEV2: a major feature is broken
    - SEV3: minor bug

    ## Deadlines

    SEV1: first update within 10 minutes, every 30 minutes thereafter.
    For SEV1 and SEV2 incidents, executives are notified within 30 minutes.
    SEV2: status page updates every 2 hours until contained.
    SEV1/SEV2: resolve in 24–72 hours.
    SEV1: notify customers within 24 hours or 1 business day, whichever is sooner.
    SEV3: patch in the next release.
    The post-incident review happens within 5 business days of resolution.
    Publish the postmortem within 3 days.
    Keep an eye on dashboards for 45 minutes after the fix.
    An outage longer than 2 hours is always SEV1.
    """

    /// Levels across the header; each row names a timer.
    public static let transposedTable = """
    # Store incidents

    | Target | SEV1 | SEV2 | SEV3 |
    | --- | --- | --- | --- |
    | Acknowledge | 5 min | 15 min | 1 h |
    | Contain | 1 h | 4 h | 1 bd |
    | Status updates | every 30 min | hourly | — |
    """

    /// Severity headings with bullets under them.
    public static let headingLadder = """
    # Service desk

    ## Priority levels

    ### Priority 1 (Urgent)
    - Response: 15 minutes
    - Resolution: 4 hours

    ### Priority 2 (High)
    - Response: 1 hour
    - Resolution: 1 business day

    ## Other
    Office hours are 9 to 5.
    """

    /// Roles, phases, checklists and templates.
    public static let fullPolicy = """
    ---
    owner: sre
    ---
    # Incident handbook

    ## Severity

    | Severity | Acknowledge | Resolve |
    | --- | --- | --- |
    | Critical | 15 minutes | 4 hours |
    | High | 1 hour | 1 business day |
    | Low | 1 business day | best effort |

    ## Roles

    - **Incident Commander (IC)** – runs the response and makes the calls
    - **Scribe** – keeps the timeline
    - **Communications Lead** – writes every status update

    ## Escalation contacts

    | Role | Duties | Backup |
    | --- | --- | --- |
    | Security Officer | judges exposure | Incident Commander |
    | Database Expert | restores data | Platform lead |

    ## Lifecycle

    1. **Preparation**: keep the pager rota current
    2. **Detection & Analysis**: confirm the alert, pick a severity
       - Open the incident channel
       - Decide the severity
    3. **Containment**: stop the bleeding
       - Roll back the last deploy
    4. **Eradication**: remove the cause
    5. **Recovery**: bring traffic back
    6. **Post-Incident Activity**: learn from it

    ## Checklist

    - [ ] Severity set and IC named
    - [ ] Rollback executed and mitigation confirmed
    - [ ] Postmortem report archived

    ## Communication templates

    ### Status page

    ```
    We are investigating a problem with <service>. Current status: {{status}}.
    Next update by [time].
    ```

    ### Internal update

    > Incident <incident id> (<severity>) is ongoing. IC: <name>. Ask <on-call channel> for help.

    ## Drills

    - Run a quarterly tabletop at High and an annual full drill at Critical.
    """

    /// Prose-only document: nothing to build a ladder from.
    public static let noLevels = """
    # Notes

    Be calm. Write things down. Tell people what you are doing.
    """
}
