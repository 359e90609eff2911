"""Simulated card readers that speak the real protocols.

* :class:`~drivers.idcard.sim.sam.SimulatedSam` — a GA/T 467 SAM module with a
  card field and fault injection; reached in-process (:func:`sim_reader`) or
  over a pty (:class:`~drivers.idcard.sim.pty.PtySamServer`) by the serial driver;
* :mod:`drivers.idcard.sim.vpcd` — virtual cards for vsmartcard's ``vpcd`` so
  the PC/SC driver talks to them through a real ``pcscd``.
"""
