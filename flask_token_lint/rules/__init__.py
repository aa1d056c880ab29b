"""The rule modules: one per rule, or per small group sharing its matching; found by ``registry``."""
