// The `incident` executable. The process boundary (argv, environment, clock, stdio, signals)
// lives in IncidentCLI (Process.swift), behind the platform imports.
import IncidentCLI

CLI.main()
