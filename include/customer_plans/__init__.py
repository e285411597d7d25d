"""customer-plans: core banking data to relationship managers' daily plans."""
