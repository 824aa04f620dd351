"""Records made from the declaration: the Art. 30 record of processing and the DPV export."""
