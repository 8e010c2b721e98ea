"""The exports area of the web app: export downloads and jobs, the indicators page and
mission reports, for missions, coordinators and reviewers."""
