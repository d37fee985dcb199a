"""The test federation's own wiring around spid_cie_oidc: keys, bootstrap, test users,
relying-party registration, and the provider's per-user SPID level."""
