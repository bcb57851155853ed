#!/usr/bin/env python3
"""Writes a JSON chat-completion request of about SIZE bytes: a coding agent's conversation, no secrets.

The prose is ordinary assistant talk with some code; words the rules key on ("install", "token", "file",
"curl") appear at the rate they do in such conversations, not at the worst-case density of the scanner
benchmarks. Deterministic (fixed seed), so every run scans the same bytes.
"""
import json
import random
import sys

SENTENCES = [
    "I looked at the failing test and the assertion compares the parsed date with a local time.",
    "The function returns early when the list is empty, so the caller never sees the warning.",
    "Let me read the configuration loader before changing anything.",
    "Here is the updated version of the handler with the retry moved out of the loop:",
    "def handle(request):\n    items = load(request.path)\n    return [normalise(i) for i in items if i.enabled]",
    "The build passes now; the remaining warning is about an unused import in utils.py.",
    "You can install the package with pip and then run the tests again.",
    "The token budget for this answer is small, so I will summarise the diff instead of pasting it.",
    "Open the file src/app/routes.ts and look at how the middleware is registered.",
    "const total = orders.reduce((sum, o) => sum + o.amount, 0);",
    "This query scans the whole table because the index is on the wrong column.",
    "SELECT id, name FROM customers WHERE created_at > now() - interval '7 days' ORDER BY name;",
    "The documentation says the timeout is in seconds, but the code treats it as milliseconds.",
    "I ran the linter and fixed the three formatting issues it reported.",
    "To reproduce it, call the endpoint with curl and an empty JSON object as the body.",
    "The cache key includes the user id, so two users never share an entry.",
    "Renaming the variable makes the intent clearer and does not change behaviour.",
    "for (int i = 0; i < rows.Length; i++) { sum += rows[i].Value; }",
    "The migration adds a nullable column first and backfills it in a second step.",
    "Next I will split the large component into a list and a detail view.",
    "The stack trace points at the JSON serializer, which cannot handle the cyclic reference.",
    "We should keep the old behaviour behind a flag until the clients are updated.",
    "The benchmark shows the new parser is about twice as fast on long inputs.",
    "Please confirm whether the API should return 404 or an empty list for a missing project.",
]


def main() -> None:
    size = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(6)
    messages = [{"role": "system", "content": "You are a careful coding assistant working in the user's repository."}]
    request = {"model": "example-model", "max_tokens": 1024, "stream": True, "messages": messages}
    role = "user"
    while len(json.dumps(request)) < size:
        text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 12)))
        messages.append({"role": role, "content": text})
        role = "assistant" if role == "user" else "user"
    data = json.dumps(request).encode()
    # Trim the last message so the body is exactly SIZE bytes and still valid JSON.
    while len(data) > size:
        last = messages[-1]
        last["content"] = last["content"][: len(last["content"]) - (len(data) - size)]
        data = json.dumps(request).encode()
    data = data + b" " * (size - len(data))
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
