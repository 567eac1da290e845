import TriageCLI

TriageCommand.main()
