"""The live app of ``domwork viz``: a SolaraViz page with the city map, live plots and a policy twin.

``app.py`` is the page; ``live.py`` the model behind it (with the twin);
``controls.py`` the page's controls; ``city_map.py``, ``charts.py`` and
``panels.py`` its components; ``server.py`` starts and stops the server;
``assets.py`` installs solara's front-end files for offline use.
"""
