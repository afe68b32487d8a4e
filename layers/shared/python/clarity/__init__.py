"""The Clarity API's shared layer.

    http/           HTTP in and out: the resolver, auth, bodies, ETags, the one error map
    wiring          builds every service from settings and a DynamoDB client
    conversations/  the conversation resource: models, rules, repository
    messages/       the message resource: models, rules, repository
    store/          DynamoDB mechanics and every key of the table
    core/           ids, errors, shared models, settings, observability

Imports point downwards in that list; nothing below imports what is above it.
"""
