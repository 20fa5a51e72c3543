"""Learning-rate schedulers that drive `optimizer.param_groups[i]["lr"]`."""
