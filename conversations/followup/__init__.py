"""After a conversation is booked: the notes each side takes, agreed actions, marking it held, carrying open actions
and roadblocks forward, and the summary each viewer may see (`summary`)."""
