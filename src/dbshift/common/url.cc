// placeholder: implemented in a later change
