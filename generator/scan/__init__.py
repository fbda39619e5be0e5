"""Reading answer sheets back: scanned pages → registered bubbles → marks → responses.csv.

``inputs`` turns PDF/TIFF/PNG/JPEG files into page images, ``register`` finds the QR code and the corner
marks and fits a homography to the measured ``layout.json``, ``measure`` samples every bubble against the
blank template, ``decide`` turns the measurements into answers, ``run`` joins pages into sheets and writes
``scans/responses.csv``, ``pages.csv`` and ``review.html`` (applying ``overrides.csv``). ``simulate`` makes
synthetic scans for the tests and ``mockexam bench scan``.
"""
