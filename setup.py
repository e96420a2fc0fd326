from configparser import ConfigParser
import setuptools, shlex
from setuptools.command.sdist import sdist

# note: all settings are in settings.ini; edit there, not here
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

licenses = {'apache2': 'Apache-2.0', 'mit': 'MIT'}  # settings.ini's name -> SPDX expression
statuses = [ '1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive' ]
py_versions = '3.9 3.10 3.11 3.12 3.13 3.14'.split()

requirements = shlex.split(cfg.get('requirements', ''))
extras = {k[:-len('_requirements')]: shlex.split(cfg[k]) for k in cfg if k.endswith('_requirements') and k != 'requirements'}
min_python = cfg['min_python']

class Sdist(sdist):
    "The sdist also carries `settings.ini`, which this file reads to build the wheel (no MANIFEST.in needed)."
    def make_distribution(self):
        self.filelist.append('settings.ini')
        super().make_distribution()

setuptools.setup(
    name = cfg['lib_name'],
    license_expression = licenses.get(cfg['license'].lower(), cfg['license']),
    classifiers = [
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + ['Programming Language :: Python :: '+o for o in py_versions[py_versions.index(min_python):]],
    url = cfg['git_url'],
    project_urls = {'Documentation': cfg['doc_host'].rstrip('/') + cfg.get('doc_baseurl', '') + '/', 'Source': cfg['git_url'],
                    'Changelog': cfg['git_url'] + '/blob/' + cfg['branch'] + '/CHANGELOG.md'},
    packages = setuptools.find_packages(include=['bn_nbdev', 'bn_nbdev.*']),
    include_package_data = True,
    install_requires = requirements,
    extras_require = extras,
    dependency_links = cfg.get('dep_links','').split(),
    python_requires  = '>=' + cfg['min_python'],
    long_description = open('README.md', encoding='utf-8').read(),
    long_description_content_type = 'text/markdown',
    zip_safe = False,
    cmdclass = {'sdist': Sdist},
    entry_points = {'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']},
    **setup_cfg)
