"""The Fluvius data-access integration: client, payload parsing and the local simulator.

The contract is ../shared/domain/fluvius-api.md. Several apps use this package; it imports
nothing from them.
"""
