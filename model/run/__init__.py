"""Running scenarios and writing what they give: the runner, result folders, figures, progress, resource checks."""
