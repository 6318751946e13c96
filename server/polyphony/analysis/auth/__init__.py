"""TimeSide users, their API tokens and JSON Web Tokens."""
