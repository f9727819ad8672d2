"""Helpers shared by the sales API tests."""

COST_WORDS = ("cost", "margin")


def keys_deep(data) -> set[str]:
    found = set()
    if isinstance(data, dict):
        for k, v in data.items():
            found.add(k)
            found |= keys_deep(v)
    elif isinstance(data, list):
        for item in data:
            found |= keys_deep(item)
    return found


def has_cost(data) -> bool:
    return any(word in key for key in keys_deep(data) for word in COST_WORDS)


def login(client, user):
    client.force_authenticate(user)
    return client
