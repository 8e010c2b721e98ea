"""The registry of recruiters and employers in the app: entity pages, merge and split
(`views`), the forms (`forms`) and the codes in words (`words`). Linking a case's
actors is on the case page (`app.cases.entity_links`)."""
