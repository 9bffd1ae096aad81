"""The service and name values GeoSPaaS stores in ``DatasetURI.service`` and ``.name``."""

LOCAL_FILE_SERVICE = 'local'
FILE_SERVICE_NAME = 'fileService'
OPENDAP_SERVICE = 'OPENDAP'
DAP_SERVICE_NAME = 'dapService'
HTTP_SERVICE = 'HTTPServer'
HTTP_SERVICE_NAME = 'http'
FTP_SERVICE = 'ftp'
FTP_SERVICE_NAME = 'ftp'
SFTP_SERVICE = 'sftp'
SFTP_SERVICE_NAME = 'sftp'
WMS_SERVICE = 'WMS'
WMS_SERVICE_NAME = 'wms'
