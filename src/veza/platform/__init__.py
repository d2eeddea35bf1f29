"""Platform endpoints: WebRTC configuration, DTO validation, front-end logs, /health, /ready,
/metrics and the API docs."""
