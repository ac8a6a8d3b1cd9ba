"""The auditor's tools: verify (is the history whole?) and blame (who wrote this?)."""
