"""Customer value models: pure numpy/scipy (RFM, BG/NBD, MBG/NBD, Gamma-Gamma, CLV, backtest)."""
