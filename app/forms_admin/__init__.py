"""The form editors' area: form versions, the editor and publishing (`views`), and the
checks and records behind them (`editing`)."""
